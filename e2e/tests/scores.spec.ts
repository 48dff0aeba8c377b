// Adoption and scores in Chromium: the editor records an adoption and a leader instruction on a
// signed item from the review desk; the officer's desk card shows the unit's and their own
// points (and still shows them offline, from the last sync); the scoreboard's total for the
// unit opens into the events that make it up.
import { test, expect, logIn, hex, push } from "./fixtures";

test("an adoption recorded on the review desk reaches the officer's desk card and the scoreboard drills down to it", async ({ browser, server }) => {
  server.addUser("editor", "Chunfeng-2026", "editor", undefined, "王编辑");
  server.addUser("signer", "Chunfeng-2026", "signer", undefined, "赵主任");
  const ctx = { locale: "zh-CN" };
  const [po, pe, ps] = [await browser.newContext(ctx), await browser.newContext(ctx), await browser.newContext(ctx)];
  const officer = await po.newPage();
  const editor = await pe.newPage();
  const signer = await ps.newPage();
  await logIn(officer, server, "officer", "Chunfeng-2026");
  await logIn(editor, server, "editor", "Chunfeng-2026");
  await logIn(signer, server, "signer", "Chunfeng-2026");

  // Three items submitted from the officer's other device; two taken through to signed.
  const titles = ["兰州湾镇抢收小麦1.2万亩", "兰州湾镇推进秸秆还田", "兰州湾镇开展安全检查"];
  await push(officer.request, server.url, 0xa1, titles.map((title, i) => ({
    mid: i + 1, item_id: hex(i + 1), base_rev: 0, op: "submit",
    content: { title, body: "6月3日，全镇抢收小麦1.2万亩，同比增长15%。", phone: "13912345678" },
  })));
  let mid = 0;
  for (const n of [1, 2]) {
    await push(editor.request, server.url, 0xe1, ["screen", "edit", "send_to_sign_off"].map((action, k) => ({
      mid: ++mid, item_id: hex(n), base_rev: k + 1, op: "act", action,
    })));
  }
  await push(signer.request, server.url, 0x51, [1, 2].map((n, k) => ({ mid: k + 1, item_id: hex(n), base_rev: 4, op: "act", action: "sign" })));

  // The editor opens the signed item and records a full-text adoption and an instruction.
  await editor.getByTestId("review-link").click();
  await expect(editor.getByTestId("review-item")).toHaveCount(3, { timeout: 15_000 });
  // By the title: a row's duplicate hint names the similar items' titles too.
  await editor.getByTestId("review-item-title").filter({ hasText: titles[0] }).click();
  await expect(editor.getByTestId("review-item-state")).toHaveText("已签发", { timeout: 15_000 });
  const form = editor.getByTestId("adoption-form");
  await expect(form.getByTestId("adopt-publication").locator("option")).not.toHaveCount(0);
  await form.getByTestId("adopt-publication").selectOption({ label: "林双政务信息（县级）" });
  await form.getByTestId("adopt-issue").fill("2026年第12期");
  // Without a combined piece, naming other items is not offered; a bad date is refused in words.
  await form.getByTestId("adopt-date").fill("");
  await form.getByTestId("adopt-send").click();
  await expect(editor.getByTestId("scoring-message")).toContainText("日期");
  const today = await editor.evaluate(() => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10));
  await form.getByTestId("adopt-date").fill(today);
  await form.getByTestId("adopt-send").click();
  await expect(editor.getByTestId("scoring-message")).toHaveText("已登记");
  await expect(editor.getByTestId("adoption")).toContainText("《林双政务信息》2026年第12期 · 全文采用");
  const instr = editor.getByTestId("instruction-form");
  await instr.getByTestId("instr-level").selectOption("city");
  await instr.getByTestId("instr-leader").fill("市长 赵某");
  await instr.getByTestId("instr-text").fill("经验做法很好，请农业农村局总结推广。");
  await instr.getByTestId("instr-send").click();
  await expect(editor.getByTestId("instruction")).toContainText("市级 市长 赵某");
  await expect(editor.getByTestId("instruction")).toContainText("待反馈");
  await editor.getByTestId("feedback-note").fill("已转农业农村局，月底前报送推广方案。");
  await editor.getByTestId("feedback-send").click();
  await expect(editor.getByTestId("instruction")).toContainText("已反馈：已转农业农村局");
  // The item's own points: submission 1 + full text 5 + city instruction 10.
  await expect(editor.getByTestId("event-total")).toHaveText("16");

  // The officer's desk card: 3 submitted, 1 adopted, 18 points (3 + 5 + 10), ranked.
  await officer.reload();
  await expect(officer.getByTestId("card-unit")).toContainText("报送数 3 · 采用数 1 · 总分 18 · 排名 1/", { timeout: 15_000 });
  await expect(officer.getByTestId("card-me")).toContainText("总分 18");
  await expect(officer.getByTestId("card-cached")).toHaveCount(0);

  // The scoreboard: the unit's total opens into its events, which add up to it.
  await officer.getByTestId("scores-link").click();
  const row = officer.getByTestId("score-row").filter({ hasText: "兰州湾镇" });
  await expect(row.getByTestId("score-points")).toHaveText("18");
  await row.getByTestId("score-name").click();
  const drill = officer.getByTestId("drill-down");
  await expect(drill.getByTestId("event-row")).toHaveCount(5);
  // The unit's trend: a bar per month of the year, this month's carrying the 18 points.
  await expect(drill.getByTestId("trend-bar")).toHaveCount(12);
  const month = Number(today.slice(5, 7));
  await expect(drill.getByTestId("trend-bar").nth(month - 1)).toContainText("18");
  await expect(drill.getByTestId("event-total")).toHaveText("18");
  await expect(drill).toContainText("县级期刊全文采用");
  await expect(drill).toContainText("市领导批示");
  // Another unit's events are not the officer's to open.
  const other = officer.getByTestId("score-row").filter({ hasText: "大丰镇" });
  if (await other.count()) {
    await other.getByTestId("score-name").click();
    await expect(drill).toContainText("没有权限");
  }

  // Offline, the desk card still shows the last numbers and says they are from the last sync.
  await officer.goto(`${server.url}/`);
  await expect(officer.getByTestId("card-unit")).toContainText("总分 18");
  await po.setOffline(true);
  await officer.reload();
  await expect(officer.getByTestId("card-unit")).toContainText("总分 18", { timeout: 15_000 });
  await expect(officer.getByTestId("card-cached")).toContainText("离线：显示上次同步时的积分");
  await po.setOffline(false);
  await po.close();
  await pe.close();
  await ps.close();
});

test("a seeded year: ranked within classes with quotas, totals open into events and a trend, the notice prints and downloads", async ({ browser, server }) => {
  await server.stop();
  server.seed("year", 2026);
  await server.start();
  const ctx = await browser.newContext({ locale: "zh-CN", acceptDownloads: true });
  const page = await ctx.newPage();
  await logIn(page, server, "seed6-editor", "Xinbao-seed-2026");
  await page.getByTestId("scores-nav").click();
  await page.getByTestId("period-year").click();
  await expect(page.getByTestId("scores-title")).toHaveText("2026年");
  const rows = page.getByTestId("score-row");
  await expect(rows).toHaveCount(20);
  // Ranked within each class: the first row of each class is rank 1, quotas over 12 months.
  await expect(rows.filter({ hasText: "一类乡镇" }).first().locator("td").first()).toHaveText("1");
  await expect(rows.filter({ hasText: "县直部门" }).first().locator("td").first()).toHaveText("1");
  await expect(rows.filter({ hasText: "一类乡镇" }).first()).toContainText("/72");
  // A unit's total opens into its events: the footer is the row's total, pages load on demand.
  const first = rows.first();
  const points = await first.getByTestId("score-points").textContent();
  await first.getByTestId("score-name").click();
  const drill = page.getByTestId("drill-down");
  await expect(drill.getByTestId("event-total")).toHaveText(points ?? "?");
  await expect(drill.getByTestId("event-row")).toHaveCount(500);
  await expect(drill.getByTestId("events-shown")).toContainText("500/");
  await drill.getByTestId("events-more").click();
  await expect(drill.getByTestId("event-row")).not.toHaveCount(500);
  await expect(drill.getByTestId("trend-bar")).toHaveCount(12);
  // By person: everyone ranked together, with their unit.
  await page.getByTestId("scores-by").selectOption("person");
  await expect(rows).toHaveCount(80);
  await expect(rows.first().locator("td").first()).toHaveText("1");

  // The year's notice: the printable page in rank order, Word and Excel downloads.
  await page.getByTestId("notice-nav").click();
  await page.getByTestId("notice-year").click();
  await expect(page.getByTestId("notice-title")).toHaveText("关于2026年政务信息工作情况的年度通报");
  await expect(page.getByTestId("notice-section")).toHaveCount(3);
  const ranks = await page.getByTestId("notice-section").first().locator("tbody tr td:first-child").allTextContents();
  expect(ranks.map(Number)).toEqual([...ranks.map(Number)].sort((a, b) => a - b));
  await expect(page.getByTestId("notice-award").first()).toContainText("先进单位（一类乡镇）：");
  for (const [id, ext] of [["notice-docx", ".docx"], ["notice-xlsx", ".xlsx"]]) {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId(id).click()]);
    expect(download.suggestedFilename()).toBe(`关于2026年政务信息工作情况的年度通报${ext}`);
    const path = await download.path();
    const bytes = require("node:fs").readFileSync(path);
    expect(bytes.subarray(0, 2).toString()).toBe("PK");
  }
  // Printed, only the notice shows.
  await page.emulateMedia({ media: "print" });
  await expect(page.locator("header")).toBeHidden();
  await expect(page.getByTestId("notice-print")).toBeHidden();
  await expect(page.getByTestId("notice")).toBeVisible();
  await ctx.close();
});

test("an administrator sets unit classes and quotas and scores the past again with a reason", async ({ browser, server }) => {
  server.addUser("boss", "Chunfeng-2026", "admin", undefined, "管理员");
  const ctx = await browser.newContext({ locale: "zh-CN" });
  const page = await ctx.newPage();
  await logIn(page, server, "boss", "Chunfeng-2026");
  await page.getByTestId("admin-link").click();
  const classes = page.getByTestId("classes");
  await classes.getByTestId("class-name").fill("一类乡镇");
  await classes.getByTestId("class-monthly").fill("6");
  await classes.getByTestId("add-class").click();
  await expect(classes.getByTestId("class-row")).toHaveCount(1);
  // A quota that is not a number is refused in words.
  await classes.getByTestId("class-name").fill("二类乡镇");
  await classes.getByTestId("class-monthly").fill("");
  await classes.getByTestId("add-class").click();
  await expect(classes.getByTestId("classes-message")).toHaveText("定额请填写整数");
  await classes.getByTestId("unit-class").filter({ hasText: "兰州湾镇" }).locator("select").selectOption({ label: "一类乡镇" });
  await expect(classes.getByTestId("classes-message")).toHaveText("已保存");

  // The office's publications: the defaults, and one more at the city level.
  const pubs = page.getByTestId("publications");
  await expect(pubs.getByTestId("publication")).toHaveCount(7);
  await pubs.getByTestId("publication-name").fill("市委信息专报");
  await pubs.getByTestId("new-publication").locator("select").first().selectOption("city");
  await pubs.getByTestId("add-publication").click();
  await expect(pubs.getByTestId("publication")).toHaveCount(8);
  await expect(pubs.getByTestId("publication").last()).toContainText("市委信息专报");
  await pubs.getByTestId("rate-floor").fill("40");
  await pubs.getByTestId("save-floor").click();
  await expect(pubs.getByTestId("publications-message")).toHaveText("已保存");

  // The scoreboard shows the class and the month's quota.
  await page.getByTestId("scores-nav").click();
  const row = page.getByTestId("score-row").filter({ hasText: "兰州湾镇" });
  await expect(row).toContainText("一类乡镇");
  await expect(row).toContainText("0/6 未完成");

  // Scoring the past: a reason is required; then it is done and audited.
  await page.getByTestId("admin-link").click();
  const scoring = page.getByTestId("scoring");
  await scoring.getByTestId("rule-submission").fill("2");
  const weekAgo = await page.evaluate(() => new Date(Date.now() + 8 * 3600_000 - 7 * 86400_000).toISOString().slice(0, 10));
  await scoring.getByTestId("effective-from").fill(weekAgo);
  await scoring.getByTestId("recompute").click();
  await expect(scoring.getByTestId("scoring-admin-message")).toContainText("重新计分的理由");
  await scoring.getByTestId("recompute-reason").fill("市政府办调整计分标准");
  await scoring.getByTestId("recompute").click();
  await expect(scoring.getByTestId("scoring-admin-message")).toContainText("已重新计分");
  await page.getByTestId("audit-action").fill("scores_recomputed");
  await page.getByTestId("audit-search").click();
  // The filtered list replaces the whole one when its answer arrives: exactly the one entry.
  await expect(page.getByTestId("audit-row")).toHaveCount(1);
  await expect(page.getByTestId("audit-row")).toContainText("市政府办调整计分标准");
  // A points value that is not a number is refused before anything is sent.
  await scoring.getByTestId("rule-city").fill("二十");
  await scoring.getByTestId("save-table").click();
  await expect(scoring.getByTestId("scoring-admin-message")).toContainText("市级采用：分值请填写数字");
  await ctx.close();
});
