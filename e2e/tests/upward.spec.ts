// 上报 (issue 24) in Chromium against the real server: the editor sends two signed items up to
// the city in one batch (an urgent one with them is refused: it goes alone), downloads the
// batch's 报送单 as Word, records the city's adoption from the list's link, and reads it back on
// the list and in the year's statistics; the officer sees where the item went.
import { test, expect, logIn, hex, push } from "./fixtures";

const PW = "Chunfeng-2026";

test("signed items sent up as a batch, the urgent one alone, the city's adoption back on the list", async ({ browser, server }) => {
  server.addUser("editor", PW, "editor", undefined, "王编辑");
  server.addUser("signer", PW, "signer", undefined, "赵主任");
  const ctx = { locale: "zh-CN" };
  const officer = await (await browser.newContext(ctx)).newPage();
  const editor = await (await browser.newContext({ ...ctx, acceptDownloads: true })).newPage();
  const signer = await (await browser.newContext(ctx)).newPage();
  await logIn(officer, server, "officer", PW);
  await logIn(editor, server, "editor", PW);
  await logIn(signer, server, "signer", PW);

  // Three items signed: two routine, one urgent.
  const items = [
    { title: "河西镇春播进度过半", item_type: "dynamic" },
    { title: "兰州湾镇建成村级光伏电站", item_type: "experience" },
    { title: "河西镇突发山洪", item_type: "urgent", event_time: Date.now() },
  ];
  let editorMid = 0; // a device's mutations are numbered from 1, in order
  for (const [i, it] of items.entries()) {
    const n = i + 1;
    const content = { ...it, body: "6月3日，全镇完成春播面积1.2万亩，占计划的52%。", phone: "13912345678" };
    await push(officer.request, server.url, 71, [{ mid: n, item_id: hex(n), base_rev: 0, op: "submit", content }]);
    const steps = it.item_type === "urgent" ? ["screen", "send_to_sign_off"] : ["screen", "edit", "send_to_sign_off"];
    for (const [k, action] of steps.entries()) {
      await push(editor.request, server.url, 72, [{ mid: ++editorMid, item_id: hex(n), base_rev: k + 1, op: "act", action }]);
    }
    await push(signer.request, server.url, 73, [{ mid: n, item_id: hex(n), base_rev: steps.length + 1, op: "act", action: "sign" }]);
  }

  await editor.getByTestId("upward-link").click();
  await expect(editor.getByTestId("upward-candidate")).toHaveCount(3, { timeout: 15_000 });
  for (const title of ["河西镇春播进度过半", "兰州湾镇建成村级光伏电站", "河西镇突发山洪"]) {
    await editor.getByTestId("upward-candidate").filter({ hasText: title }).getByRole("checkbox").check();
  }
  await expect(editor.getByText("紧急信息须单独上报")).toBeVisible();
  await editor.getByTestId("upward-method").selectOption("email");
  await editor.getByTestId("upward-note").fill("第12批");
  await editor.getByTestId("upward-send").click();
  await expect(editor.getByTestId("upward-message")).toContainText("紧急信息须单独上报");
  await editor.getByTestId("upward-candidate").filter({ hasText: "河西镇突发山洪" }).getByRole("checkbox").uncheck();
  await editor.getByTestId("upward-send").click();
  await expect(editor.getByTestId("upward-message")).toHaveText("已记录上报");
  const row = editor.getByTestId("upward-send-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("市政府办公室信息科");
  await expect(row).toContainText("电子邮件");
  await expect(row.getByTestId("upward-item")).toHaveCount(2);
  // The urgent one, alone, to a destination named here.
  await editor.getByTestId("upward-candidate").filter({ hasText: "河西镇突发山洪" }).getByRole("checkbox").check();
  await editor.getByTestId("upward-destination").selectOption("other");
  await editor.getByTestId("upward-other-name").fill("《每日要情》");
  await editor.getByTestId("upward-other-level").selectOption("province");
  await editor.getByTestId("upward-send").click();
  await expect(editor.getByTestId("upward-send-row")).toHaveCount(2, { timeout: 15_000 });
  await expect(editor.getByTestId("upward-send-row").first()).toContainText("《每日要情》");
  await expect(editor.getByTestId("upward-send-row").first()).toContainText("事发");

  // The batch's Word file: a 报送单 per item.
  const download = editor.waitForEvent("download");
  await editor.getByTestId("upward-send-row").last().getByTestId("upward-word").click();
  const file = await (await download).path();
  expect(file).toBeTruthy();

  // The city adopted the first: recorded from the list's link, back on the list and in the numbers.
  await editor.getByTestId("upward-send-row").last().getByTestId("upward-item").filter({ hasText: "河西镇春播进度过半" }).getByTestId("upward-record").click();
  await expect(editor.getByTestId("upward-marks")).toContainText("已上报：市政府办公室信息科（电子邮件", { timeout: 15_000 });
  const cityPub = await editor.getByTestId("adopt-publication").locator("option", { hasText: "市政府信息" }).getAttribute("value");
  await editor.getByTestId("adopt-publication").selectOption(cityPub!);
  await editor.getByTestId("adopt-issue").fill("2026年第30期");
  await editor.getByTestId("adopt-send").click();
  await expect(editor.getByTestId("adoption")).toContainText("市政府信息", { timeout: 15_000 });
  await editor.goto(`${server.url}/upward`);
  await expect(editor.getByTestId("upward-adopted")).toHaveCount(1, { timeout: 15_000 });
  const city = editor.getByTestId("upward-stats-year").filter({ hasText: "市级" });
  await expect(city).toContainText("2");
  await expect(city).toContainText("50.0%");
  // At 360 px nothing scrolls sideways.
  await editor.setViewportSize({ width: 360, height: 740 });
  const wide = await editor.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(wide).toBeLessThanOrEqual(0);

  // The officer, after a sync, sees where the item went.
  await officer.getByTestId("sync-now").click();
  await officer.goto(`${server.url}/drafts/${hex(1)}`);
  await expect(officer.getByTestId("upward-marks")).toContainText("市政府办公室信息科", { timeout: 15_000 });
});
