// Every field of an item is kept; what is still missing before submitting is said plainly;
// an invalid draft is still saved.
import { test, expect, logIn } from "./fixtures";

test("an urgent chain: the first report, then a follow-up linked to it, every field kept", async ({ page, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  const readiness = page.getByTestId("readiness");
  await expect(readiness).toContainText("请填写标题");

  await page.getByTestId("item-type").selectOption("urgent");
  await page.getByTestId("title").fill("兰州湾镇遭受冰雹灾害（初报）");
  await page.getByTestId("body").fill("6月14日18时20分，兰州湾镇3个村遭受冰雹袭击，受灾农作物约1.26万亩。");
  await page.getByTestId("phone").fill("12345");
  await expect(readiness).toContainText("联系电话格式不对");
  await expect(readiness).toContainText("紧急信息须填写事发时间");
  // An invalid draft is saved all the same.
  await expect(page.getByTestId("save-state")).toContainText("已保存");

  await page.getByTestId("phone").fill("0994-5812345");
  await page.getByTestId("event-time").fill("2026-06-14T18:20");
  await page.getByLabel("重点").check();
  await page.getByLabel("难点").check();
  await expect(readiness).toContainText("可以报送");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  const firstUrl = page.url();

  // The follow-up: the phone is remembered; it must name the report it follows.
  await page.getByRole("link", { name: "返回稿件列表" }).click();
  await page.getByTestId("new-draft").click();
  await expect(page.getByTestId("phone")).toHaveValue("0994-5812345");
  await page.getByTestId("item-type").selectOption("urgent");
  await page.getByTestId("title").fill("兰州湾镇冰雹灾害续报（续报一）");
  await page.getByTestId("body").fill("截至6月16日12时，核定受灾面积1.31万亩，其中绝收3100亩。");
  await page.getByTestId("event-time").fill("2026-06-14T18:20");
  await page.getByTestId("stage").selectOption("follow_up_1");
  await expect(readiness).toContainText("续报和终报须选择所接续的上一次报告");
  await page.getByTestId("follows").selectOption({ label: "初报 · 兰州湾镇遭受冰雹灾害（初报）" });
  await expect(readiness).toContainText("可以报送");
  await expect(page.getByTestId("save-state")).toContainText("已保存");

  await page.reload();
  await expect(page.getByTestId("item-type")).toHaveValue("urgent");
  await expect(page.getByTestId("stage")).toHaveValue("follow_up_1");
  await expect(page.getByTestId("follows")).toHaveValue(firstUrl.split("/drafts/")[1]);
  await expect(page.getByTestId("event-time")).toHaveValue("2026-06-14T18:20");
  await expect(page.getByTestId("commission")).toHaveValue("");

  await page.goto(firstUrl);
  await expect(page.getByLabel("重点")).toBeChecked();
  await expect(page.getByLabel("难点")).toBeChecked();
  await expect(page.getByLabel("亮点")).not.toBeChecked();
});
