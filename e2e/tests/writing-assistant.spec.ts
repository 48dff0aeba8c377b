// The writing assistant: findings update while the officer types, offline-capable because the
// checks are the same Rust code compiled into the app.
import { test, expect, logIn, writeItem } from "./fixtures";

test("formula without facts is flagged as 三无 and poor; a concrete report is good", async ({ page, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();

  await page.getByTestId("title").fill("我镇扎实推进各项工作");
  await page.getByTestId("body").fill(
    "近期，我镇高度重视，精心组织，狠抓落实，各项工作扎实推进，取得了明显成效。下一步，我镇将继续凝心聚力，真抓实干，推动各项工作再上新台阶。",
  );
  await expect(page.getByTestId("four-haves")).toHaveText("四有：情况✗ 数据✗ 分析✗ 建议✗");
  await expect(page.getByTestId("verdict")).toHaveText("质量：差");
  await expect(page.getByTestId("quality")).toContainText("“三无”稿件");
  await expect(page.getByTestId("quality")).toContainText("标题没有点明单位或地点");

  await page.getByTestId("title").fill("河西镇暴雨致3个村农田受淹4200亩");
  await page.getByTestId("body").fill(
    "7月8日凌晨，河西镇遭遇强降雨，4小时降雨量达86毫米。东沟村、西沟村、南湾村3个村农田受淹4200亩，倒塌圈舍12间，无人员伤亡。" +
      "从排查情况看，受淹地块集中在排洪渠下游，主要原因是渠道多年未清淤，过水能力不足。" +
      "镇政府已组织机械疏通渠道2.6公里，计划于7月15日前完成全部清淤。建议县水利局将该渠纳入今年维修计划。",
  );
  await expect(page.getByTestId("four-haves")).toHaveText("四有：情况✓ 数据✓ 分析✓ 建议✓");
  await expect(page.getByTestId("verdict")).toHaveText("质量：好");
});

test("clicking a finding selects the words it is about", async ({ page, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("河西镇召开安全生产会议");
  await page.getByTestId("body").fill("3月5日，河西镇召开会议，镇党委高度重视，研究部署安全生产工作，参会干部46人。");
  await page.locator("details.finding-details summary").click();
  await page.getByRole("button", { name: "套话“高度重视”：换成具体做了什么、结果如何" }).click();
  const selected = await page.getByTestId("body").evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd));
  expect(selected).toBe("高度重视");
});

test("the item type changes what the checks require", async ({ page, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("河西镇遭受冰雹灾害");
  await page.getByTestId("body").fill("6月3日16时，河西镇东沟村、西沟村遭受冰雹袭击，受灾农田约5000亩，倒塌圈舍3间，无人员伤亡。");
  await expect(page.getByTestId("verdict")).toHaveText("质量：好");
  await page.getByTestId("item-type").selectOption("problem");
  await expect(page.getByTestId("quality")).toContainText("缺少分析");
  await expect(page.getByTestId("verdict")).toHaveText("质量：一般");
  // The chosen type is part of the saved draft.
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  await page.reload();
  await expect(page.getByTestId("item-type")).toHaveValue("problem");
});

// Issue 25: the duplicate checks switched on. Offline, a new draft is compared with the officer's
// other items on the device and named; a 续报 is checked against its 初报 there too. On
// submission the server compares with the office's items of the last 90 days: another township's
// officer is told only that the office has received a similar item, the editor which one.
test("a draft repeating an earlier item is named offline, and the server tells the author and the editor on submission", async ({ browser, server }) => {
  server.addUser("editor", "Chunfeng-2026", "editor", undefined, "王编辑");
  const ctx = { locale: "zh-CN" };
  const officer = await (await browser.newContext(ctx)).newPage();
  const officer2 = await (await browser.newContext(ctx)).newPage();
  const editor = await (await browser.newContext(ctx)).newPage();
  await logIn(officer, server, "officer", "Chunfeng-2026");
  await logIn(officer2, server, "officer2", "Dafeng-2026");
  await logIn(editor, server, "editor", "Chunfeng-2026");
  const body =
    "7月8日凌晨，兰州湾镇遭遇强降雨，4小时降雨量达86毫米。东沟村、西沟村、南湾村3个村农田受淹4200亩，倒塌圈舍12间，无人员伤亡。镇政府已组织机械疏通渠道2.6公里。";
  await writeItem(officer, "兰州湾镇暴雨致3个村农田受淹4200亩", body, true);

  // The officer's second draft says the same: named at once, on the device.
  const ctxOffline = officer.context();
  await ctxOffline.setOffline(true);
  await officer.getByTestId("new-draft").click();
  await officer.getByTestId("title").fill("兰州湾镇强降雨受灾情况");
  await officer.getByTestId("body").fill(body.replace("无人员伤亡", "未造成人员伤亡"));
  await expect(officer.getByTestId("quality")).toContainText("与已有稿件《兰州湾镇暴雨致3个村农田受淹4200亩》相似度约", { timeout: 10_000 });
  await ctxOffline.setOffline(false);

  // Another township's officer submits nearly the same text.
  await writeItem(officer2, "大丰镇暴雨受灾情况", body.replace("兰州湾镇", "大丰镇"), true);
  await expect(async () => {
    await officer2.reload();
    await officer2.getByText("大丰镇暴雨受灾情况").first().click();
    await expect(officer2.getByTestId("server-checks")).toContainText("与本办近期已收到的另一篇稿件相似度约", { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(officer2.getByTestId("server-checks")).not.toContainText("兰州湾镇暴雨致3个村");
  // The editor sees which item it resembles in the queue.
  await editor.getByTestId("review-link").click();
  const row = editor.getByTestId("review-item").filter({ hasText: "大丰镇暴雨受灾情况" });
  await expect(row.getByTestId("quality-hint")).toContainText("与已有稿件《兰州湾镇暴雨致3个村农田受淹4200亩》相似度约", { timeout: 15_000 });
});
