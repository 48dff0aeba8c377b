// The review loop in Chromium with separate browser contexts (officer, editor, then signer):
// submit → take in → edit (diff visible) → return with a reason and a comment → the officer
// sees it after sync, revises offline, resubmits → the editor accepts and sends for sign-off →
// the signer signs; every step is in the item's history and in the administrator's audit trail.
import { test, expect, logIn, hex, push, documentXml } from "./fixtures";
import type { Page } from "@playwright/test";

async function syncNow(page: Page) {
  await page.getByTestId("sync-now").click();
  await expect(page.getByTestId("pending-count")).toHaveText("待发送 0", { timeout: 15_000 });
}

test("submit, edit, return, revise offline, resubmit, sign — across three people", async ({ browser, server }) => {
  server.addUser("editor", "Chunfeng-2026", "editor", undefined, "王编辑");
  server.addUser("signer", "Chunfeng-2026", "signer", undefined, "赵主任");
  const ctx = { locale: "zh-CN" };
  const [po, pe, ps] = [await browser.newContext(ctx), await browser.newContext(ctx), await browser.newContext(ctx)];
  const officer = await po.newPage();
  const editor = await pe.newPage();
  const signer = await ps.newPage();

  // The officer writes and submits.
  await logIn(officer, server, "officer", "Chunfeng-2026");
  await officer.getByTestId("new-draft").click();
  await officer.getByTestId("title").fill("河西镇冰雹灾害");
  await officer.getByTestId("body").fill("6月3日，河西镇受灾农田1200亩。");
  await officer.getByTestId("phone").fill("13912345678");
  await expect(officer.getByTestId("save-state")).toContainText("已保存");
  await officer.getByTestId("submit").click();
  await expect(officer.getByTestId("editor-status")).toHaveText("已报送", { timeout: 15_000 });
  const itemUrl = officer.url();

  // The editor: the item is in the queue; take it in, edit it, see the diff, comment, return it.
  await logIn(editor, server, "editor", "Chunfeng-2026");
  await editor.getByTestId("review-link").click();
  await expect(editor.getByTestId("review-item")).toHaveCount(1, { timeout: 15_000 });
  await expect(editor.getByTestId("review-item")).toContainText("兰州湾镇 · 李建军");
  await editor.getByText("河西镇冰雹灾害").click();
  await editor.getByTestId("act-screen").click();
  await expect(editor.getByTestId("review-item-state")).toHaveText("筛选中", { timeout: 15_000 });
  await editor.getByTestId("act-edit").click();
  await expect(editor.getByTestId("review-item-state")).toHaveText("编辑中", { timeout: 15_000 });
  await editor.getByTestId("review-body").fill("6月3日下午，河西镇遭受冰雹，受灾农田1200亩。");
  await expect(editor.getByTestId("review-diff").locator("ins").first()).toBeVisible();
  await expect(editor.getByTestId("review-diff").locator("ins")).toContainText(["下午", "遭受冰雹"]);
  await editor.getByTestId("act-save_edit").click();
  await expect(editor.getByTestId("action-queued")).toHaveCount(0, { timeout: 15_000 });
  await editor.getByTestId("comment-text").fill("请补充经济损失金额");
  await editor.getByTestId("comment-send").click();
  await editor.getByTestId("review-note").fill("缺少经济损失数据");
  await editor.getByTestId("act-return").click();
  await expect(editor.getByTestId("review-item-state")).toHaveText("已退回", { timeout: 15_000 });
  await syncNow(editor);
  await expect(editor.getByTestId("comment")).toContainText("请补充经济损失金额");

  // The officer's next sync: back on the desk with the reason, the comment and the editor's text.
  await syncNow(officer);
  await officer.goto(server.url);
  await expect(officer.getByTestId("item-status")).toHaveText("已退回", { timeout: 15_000 });
  await expect(officer.getByTestId("draft-list")).toContainText("缺少经济损失数据");
  await officer.goto(itemUrl);
  await expect(officer.getByTestId("returned-why")).toContainText("缺少经济损失数据");
  await expect(officer.getByTestId("comment")).toContainText("请补充经济损失金额");
  await expect(officer.getByTestId("body")).toHaveValue("6月3日下午，河西镇遭受冰雹，受灾农田1200亩。");
  // Revises offline, resubmits; it goes when the line is back.
  await officer.route("**/api/sync/**", (route) => route.abort());
  await officer.getByTestId("body").fill("6月3日下午，河西镇遭受冰雹，受灾农田1200亩，直接经济损失约360万元。");
  await expect(officer.getByTestId("save-state")).toContainText("已保存");
  await officer.getByTestId("submit").click();
  await expect(officer.getByTestId("editor-status")).toHaveText("待报送");
  await officer.unroute("**/api/sync/**");
  await officer.getByTestId("sync-now").click();
  await expect(officer.getByTestId("editor-status")).toHaveText("已报送", { timeout: 15_000 });

  // The editor accepts it and sends it for sign-off.
  await syncNow(editor);
  await expect(editor.getByTestId("review-item-state")).toHaveText("已报送", { timeout: 15_000 });
  await expect(editor.getByTestId("review-body")).toHaveValue(/360万元/);
  // Any two revisions compare: the author's first submission against the resubmitted text.
  await editor.reload();
  const firstSubmission = editor.getByTestId("diff-from").locator("option", { hasText: "已报送" }).first();
  await editor.getByTestId("diff-from").selectOption((await firstSubmission.getAttribute("value"))!);
  await expect(editor.getByTestId("review-diff").locator("ins").first()).toHaveText("下午");
  await expect(editor.getByTestId("review-diff").locator("ins").last()).toHaveText("，直接经济损失约360万元");
  await editor.getByTestId("act-screen").click();
  await expect(editor.getByTestId("review-item-state")).toHaveText("筛选中", { timeout: 15_000 });
  await editor.getByTestId("act-edit").click();
  await expect(editor.getByTestId("review-item-state")).toHaveText("编辑中", { timeout: 15_000 });
  await editor.getByTestId("act-send_to_sign_off").click();
  await expect(editor.getByTestId("review-item-state")).toHaveText("待签发", { timeout: 15_000 });

  // The signer signs.
  await logIn(signer, server, "signer", "Chunfeng-2026");
  await signer.getByTestId("review-link").click();
  await signer.getByText("河西镇冰雹灾害").click();
  await expect(signer.getByTestId("review-item-state")).toHaveText("待签发", { timeout: 15_000 });
  await expect(signer.getByTestId("act-screen")).toHaveCount(0);
  await signer.getByTestId("act-sign").click();
  await expect(signer.getByTestId("review-item-state")).toHaveText("已签发", { timeout: 15_000 });

  // The officer sees it signed; the history holds every step.
  await syncNow(officer);
  await expect(officer.getByTestId("sync-panel")).toContainText("已签发", { timeout: 15_000 });
  const id = itemUrl.split("/drafts/")[1];
  const revs = await (await officer.request.get(`${server.url}/api/items/${id}/revisions`)).json();
  expect(revs.map((r: any) => r.state)).toEqual(
    expect.arrayContaining(["submitted", "screening", "editing", "returned", "awaiting_sign_off", "signed"]),
  );
  expect(revs.find((r: any) => r.state === "submitted").content.body).toBe("6月3日，河西镇受灾农田1200亩。");

  // The administrator reads every step in the audit trail, filtered to this item.
  server.addUser("boss", "Chunfeng-2026", "admin", undefined, "系统管理员");
  const pa = await browser.newContext(ctx);
  const admin = await pa.newPage();
  await logIn(admin, server, "boss", "Chunfeng-2026");
  await admin.getByTestId("admin-link").click();
  await admin.getByTestId("audit-subject").fill(id);
  await admin.getByTestId("audit-search").click();
  const rows = admin.getByTestId("audit-row");
  await expect(rows.filter({ hasText: "review:sign" })).toHaveCount(1, { timeout: 15_000 });
  for (const step of ["submit", "review:screen", "review:return", "comment", "review:edit", "review:save_edit", "review:send_to_sign_off", "review:sign"]) {
    await expect(rows.filter({ hasText: step }).first(), step).toBeVisible();
  }
  // Submitted twice: before and after the return.
  await expect(rows.locator("td:nth-child(3)", { hasText: /^submit$/ })).toHaveCount(2);
  await po.close();
  await pe.close();
  await ps.close();
  await pa.close();
});

test("the queue: urgent first with its deadline, the writing-check hint, keyboard marking and bulk taking-in", async ({ browser, server }) => {
  server.addUser("editor", "Chunfeng-2026", "editor", undefined, "王编辑");
  const po = await browser.newContext({ locale: "zh-CN" });
  const pe = await browser.newContext({ locale: "zh-CN" });
  const officer = await po.newPage();
  await logIn(officer, server, "officer", "Chunfeng-2026");
  // Three items submitted straight through the sync API (as another device of the officer).
  const seventyMinutesAgo = Date.now() - 70 * 60_000;
  const items = [
    { title: "兰州湾镇推进秸秆还田", body: "今年以来，全镇秸秆还田面积达3.2万亩，同比增长15%。", item_type: "dynamic" },
    { title: "兰州湾镇突发山洪（初报）", body: "7月1日14时，兰州湾镇突发山洪，2人失联，正在搜救。", item_type: "urgent", event_time: seventyMinutesAgo },
    { title: "兰州湾镇开展安全检查", body: "近期，全镇开展安全生产大检查，排查隐患17处。", item_type: "dynamic" },
  ];
  const mutations = items.map((c, i) => ({ mid: i + 1, item_id: hex(i + 1), base_rev: 0, op: "submit", content: { ...c, phone: "13912345678" } }));
  const res = await officer.request.post(`${server.url}/api/sync/push`, {
    headers: { "x-xinbao-client": "1" },
    data: { client_id: hex(0xabc), mutations },
  });
  expect(res.status()).toBe(200);

  const editor = await pe.newPage();
  await logIn(editor, server, "editor", "Chunfeng-2026");
  await editor.getByTestId("review-link").click();
  const rows = editor.getByTestId("review-item");
  await expect(rows).toHaveCount(3, { timeout: 15_000 });
  await expect(rows.first()).toContainText("突发山洪");
  await expect(rows.first().getByTestId("deadline")).toHaveText(/书面报告已超时 1\d 分钟/);
  await expect(rows.nth(1).getByTestId("quality-hint")).toContainText("四有：情况");

  // The deadline is the office's setting: the administrator allows two hours, and the same item
  // now has time left.
  server.addUser("root", "Chunfeng-2026", "admin");
  const pa = await browser.newContext({ locale: "zh-CN" });
  const admin = await pa.newPage();
  await logIn(admin, server, "root", "Chunfeng-2026");
  await admin.getByTestId("admin-link").click();
  await expect(admin.getByTestId("urgent-minutes")).toHaveValue("60");
  await admin.getByTestId("urgent-minutes").fill("120");
  await admin.getByTestId("save-settings").click();
  await expect(admin.getByTestId("settings-message")).toHaveText("已保存");
  await pa.close();
  await editor.reload();
  await expect(rows.first().getByTestId("deadline")).toHaveText(/书面报告剩余 4\d 分钟/);

  // j moves down, x marks, twice; s takes both in.
  await editor.keyboard.press("j");
  await editor.keyboard.press("x");
  await editor.keyboard.press("j");
  await editor.keyboard.press("x");
  await expect(editor.getByTestId("bulk-screen")).toHaveText("批量受理 (2)");
  await editor.keyboard.press("s");
  await expect(editor.getByTestId("review-state").filter({ hasText: "筛选中" })).toHaveCount(2, { timeout: 15_000 });
  await expect(rows.first().getByTestId("review-state")).toHaveText("已报送");

  // Filters: type, state, unit and text combine.
  await editor.getByTestId("type-filter").selectOption("urgent");
  await expect(rows).toHaveCount(1);
  await editor.getByTestId("type-filter").selectOption("");
  await editor.getByTestId("state-filter").selectOption("screening");
  await expect(rows).toHaveCount(2);
  await editor.getByTestId("unit-filter").selectOption("兰州湾镇");
  await editor.getByTestId("review-search").fill("秸秆");
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText("秸秆还田");
  await po.close();
  await pe.close();
});


test("one item out: the signed item's 审签单 printed and as Word, the marked items as one Word file, and offline said so", async ({ browser, server }) => {
  server.addUser("editor", "Chunfeng-2026", "editor", undefined, "王编辑");
  server.addUser("signer", "Chunfeng-2026", "signer", undefined, "赵主任");
  const [po, pe, ps] = [await browser.newContext({ locale: "zh-CN" }), await browser.newContext({ locale: "zh-CN", acceptDownloads: true }), await browser.newContext({ locale: "zh-CN" })];
  const officer = await po.newPage();
  const signer = await ps.newPage();
  await logIn(officer, server, "officer", "Chunfeng-2026");
  await logIn(signer, server, "signer", "Chunfeng-2026");
  const titles = ["兰州湾镇抢收小麦1.2万亩", "兰州湾镇推进秸秆还田"];
  await push(officer.request, server.url, 0xa1, titles.map((title, i) => ({
    mid: i + 1, item_id: hex(i + 1), base_rev: 0, op: "submit",
    content: { title, body: `6月${i + 3}日，${title}，涉及12个村。\n下一步将持续推进。`, phone: "13912345678" },
  })));
  const editor = await pe.newPage();
  await logIn(editor, server, "editor", "Chunfeng-2026");
  await push(editor.request, server.url, 0xe1, ["screen", "edit", "send_to_sign_off"].map((action, k) => ({ mid: k + 1, item_id: hex(1), base_rev: k + 1, op: "act", action })));
  await push(signer.request, server.url, 0x51, [{ mid: 1, item_id: hex(1), base_rev: 4, op: "act", action: "sign" }]);
  const today = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", year: "numeric", month: "numeric", day: "numeric" })
    .formatToParts(new Date()).filter((p) => p.type !== "literal").map((p) => p.value);
  const todayZh = `${today[0]}年${today[1]}月${today[2]}日`;

  await editor.getByTestId("review-link").click();
  const rows = editor.getByTestId("review-item");
  await expect(rows).toHaveCount(2, { timeout: 15_000 });
  await rows.filter({ hasText: "抢收小麦" }).locator("a").click();
  await editor.getByTestId("sheet-link").click();
  await expect(editor.getByTestId("sheet-kind")).toHaveText("信息审签单");
  await expect(editor.getByTestId("sheet-报送单位")).toHaveText("兰州湾镇");
  await expect(editor.getByTestId("sheet-撰稿人")).toHaveText("李建军");
  await expect(editor.getByTestId("sheet-联系电话")).toHaveText("13912345678");
  await expect(editor.getByTestId("sheet-信息类别")).toHaveText("动态信息");
  await expect(editor.getByTestId("sheet-报送日期")).toHaveText(todayZh);
  await expect(editor.getByTestId("sheet-责任编辑")).toHaveText("王编辑");
  await expect(editor.getByTestId("sheet-签发人")).toHaveText("赵主任");
  await expect(editor.getByTestId("sheet-签发日期")).toHaveText(todayZh);
  await expect(editor.getByTestId("sheet-title")).toHaveText(titles[0]);
  // Printed, the sheet stands alone.
  await editor.emulateMedia({ media: "print" });
  await expect(editor.locator("header").first()).toBeHidden();
  await expect(editor.getByTestId("sheet-print")).toBeHidden();
  await expect(editor.getByTestId("sheet")).toBeVisible();
  await editor.emulateMedia({ media: "screen" });
  const [one] = await Promise.all([editor.waitForEvent("download"), editor.getByTestId("sheet-docx").click()]);
  expect(one.suggestedFilename()).toBe(`${titles[0]}-信息审签单.docx`);
  const xml = documentXml((await one.path())!);
  for (const text of ["信息审签单", "王编辑", "赵主任", todayZh, titles[0], "下一步将持续推进。"]) expect(xml).toContain(text);

  // Both marked on the desk: one Word file, in the order listed, each its own form.
  await editor.getByTestId("review-link").click();
  await expect(rows).toHaveCount(2);
  await expect(editor.getByTestId("bulk-word")).toHaveCount(0);
  await rows.nth(0).getByTestId("mark").check();
  await rows.nth(1).getByTestId("mark").check();
  await expect(editor.getByTestId("bulk-word")).toHaveText("下载所选报送单（Word） (2)");
  const listed = await rows.locator(".draft-title").allTextContents();
  const [batch] = await Promise.all([editor.waitForEvent("download"), editor.getByTestId("bulk-word").click()]);
  const all = documentXml((await batch.path())!);
  const at = listed.map((t) => all.indexOf(t));
  expect(at.every((i) => i >= 0)).toBe(true);
  expect(at).toEqual([...at].sort((a, b) => a - b));
  expect(all).toContain("信息报送单");
  expect(all).toContain("信息审签单");

  // Offline, the sheet says it needs the connection (the desk itself still reads offline).
  await rows.filter({ hasText: "秸秆" }).locator("a").click();
  await expect(editor.getByTestId("sheet-link")).toBeVisible();
  await pe.setOffline(true);
  await editor.getByTestId("sheet-link").click();
  await expect(editor.getByTestId("sheet-error")).toContainText("要联网");
  await pe.setOffline(false);
  await editor.reload();
  await expect(editor.getByTestId("sheet-kind")).toHaveText("信息报送单");
  await expect(editor.getByTestId("sheet-签发人")).toHaveText("");
  await po.close();
  await pe.close();
  await ps.close();
});

test("a new editor PC on a county's year: the first page from the server without pulling, search and pages there, opened items kept, offline said so", async ({ browser, server }) => {
  await server.stop();
  server.seed("year", 2026);
  await server.start();
  const ctx = await browser.newContext({ locale: "zh-CN" });
  const editor = await ctx.newPage();
  // Nothing of the office's history is pulled to this PC: the desk must not need it.
  await editor.route("**/api/sync/pull", (r) => r.abort());
  await logIn(editor, server, "seed6-editor", "Xinbao-seed-2026");
  const page = async (query: string) => (await (await editor.request.get(`${server.url}/api/review/queue?${query}`)).json()).map((r: any) => r.title);
  await editor.getByTestId("review-link").click();
  const rows = editor.getByTestId("review-item");
  await expect(rows).toHaveCount(50, { timeout: 15_000 });
  await expect(editor.getByTestId("queue-offline")).toHaveCount(0);
  expect(await rows.locator(".draft-title").allTextContents()).toEqual(await page("limit=50"));
  // Pages and their size are the server's.
  await editor.getByTestId("next-page").click();
  await expect(editor.getByTestId("page-no")).toHaveText("第2页");
  await expect(rows.first().locator(".draft-title")).toHaveText((await page("limit=1&offset=50"))[0]);
  await editor.getByTestId("page-size").selectOption("20");
  await expect(rows).toHaveCount(20);
  await expect(editor.getByTestId("page-no")).toHaveText("第1页");
  // Search answers from the whole year on the server; so does the order.
  const wanted = (await page("limit=1&offset=3000&sort=recent"))[0];
  await editor.getByTestId("review-search").fill(wanted);
  await expect(rows.first().locator(".draft-title")).toHaveText(wanted);
  await editor.getByTestId("review-search").fill("");
  await editor.getByTestId("queue-sort").selectOption("recent");
  await expect(rows.first().locator(".draft-title")).toHaveText((await page("limit=1&sort=recent"))[0]);
  // A focus tag lives in the item's text: that filter reads this PC's items, and says so.
  await editor.getByTestId("tag-filter").selectOption("key");
  await expect(editor.getByTestId("queue-local")).toBeVisible();
  await editor.getByTestId("tag-filter").selectOption("");
  await expect(editor.getByTestId("queue-local")).toHaveCount(0);
  await expect(rows).toHaveCount(20);

  // A row opened is fetched and kept on this PC: it opens offline afterwards.
  const title = (await rows.nth(2).locator(".draft-title").textContent()) ?? "";
  await rows.nth(2).locator("a").click();
  await expect(editor.getByTestId("review-title")).toHaveValue(title);
  const at = editor.url();
  await editor.getByRole("link", { name: "审核台" }).first().click();
  await expect(rows).toHaveCount(20);
  await ctx.setOffline(true);
  // Offline the desk shows what this PC holds, and says so.
  await editor.getByTestId("queue-sort").selectOption("recent");
  await expect(editor.getByTestId("queue-offline")).toBeVisible();
  await expect(rows).toHaveCount(1);
  await expect(rows.first().locator(".draft-title")).toHaveText(title);
  await rows.first().locator("a").click();
  await expect(editor.getByTestId("review-title")).toHaveValue(title);
  expect(editor.url()).toBe(at);
  await ctx.setOffline(false);
  await ctx.close();
});

test("at 360 px (a phone): the home page, the queue, an item and its sheet fit the screen, nothing scrolls sideways", async ({ browser, server }) => {
  server.addUser("editor", "Chunfeng-2026", "editor", undefined, "王编辑");
  const po = await browser.newContext({ locale: "zh-CN" });
  const officer = await po.newPage();
  await logIn(officer, server, "officer", "Chunfeng-2026");
  await push(officer.request, server.url, 0xa1, [{
    mid: 1, item_id: hex(1), base_rev: 0, op: "submit",
    content: { title: "兰州湾镇推进秸秆还田，全镇秸秆综合利用率达到百分之九十五以上", body: "今年以来，全镇秸秆还田面积达3.2万亩，同比增长15%。\n下一步将持续推进。", phone: "13912345678", tags: ["key"] },
  }]);
  const pe = await browser.newContext({ locale: "zh-CN", viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const editor = await pe.newPage();
  await logIn(editor, server, "editor", "Chunfeng-2026");
  const fits = async (what: string) => {
    const [scroll, inner] = await editor.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(inner).toBe(360);
    expect(scroll, `${what}: ${scroll} px wide on a ${inner} px screen`).toBeLessThanOrEqual(inner);
  };
  await expect(editor.getByTestId("home-count-submitted").locator(".home-count")).toHaveText("1");
  await fits("the home page");
  await editor.getByTestId("review-link").click();
  await expect(editor.getByTestId("review-item")).toHaveCount(1, { timeout: 15_000 });
  await fits("the queue");
  await editor.getByTestId("review-item").locator("a").click();
  await expect(editor.getByTestId("review-title")).toHaveValue(/秸秆还田/);
  await fits("the item");
  await editor.getByTestId("sheet-link").click();
  await expect(editor.getByTestId("sheet-kind")).toHaveText("信息报送单");
  await fits("the sheet");
  await po.close();
  await pe.close();
});

test("the editor's home page: counts as the server holds them, each a link to its list; an urgent item an officer submits is announced on the open pages within seconds", async ({ browser, server }) => {
  server.addUser("editor", "Chunfeng-2026", "editor", undefined, "王编辑");
  const po = await browser.newContext({ locale: "zh-CN" });
  const officer = await po.newPage();
  await logIn(officer, server, "officer", "Chunfeng-2026");
  const item = (n: number, title: string, extra: object = {}) => ({
    mid: n, item_id: hex(n), base_rev: 0, op: "submit",
    content: { title, body: "今年以来，全镇秸秆还田面积达3.2万亩，同比增长15%。\n下一步将持续推进。", phone: "13912345678", ...extra },
  });
  await push(officer.request, server.url, 0xa1, [item(1, "兰州湾镇推进秸秆还田"), item(2, "兰州湾镇冬小麦播种完成")]);

  const pe = await browser.newContext({ locale: "zh-CN" });
  await pe.grantPermissions(["notifications"], { origin: server.url });
  // Every system notification the page shows is recorded.
  await pe.addInitScript(() => {
    const Real = window.Notification;
    (window as any).__notes = [];
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        (window as any).__notes.push([title, options?.body ?? ""]);
      }
    }
    Object.defineProperty(window, "Notification", { value: Recorded, configurable: true });
  });
  const editor = await pe.newPage();
  const listening: string[] = [];
  pe.on("request", (r) => { if (r.url().endsWith("/api/review/announcements")) listening.push(r.url()); });
  await logIn(editor, server, "editor", "Chunfeng-2026");
  // An editor lands on the home page; its counts are the server's.
  await expect(editor).toHaveURL(/\/home$/);
  const count = async (state: string) => (await (await editor.request.get(`${server.url}/api/review/queue?state=${state}&limit=200`)).json()).length;
  for (const state of ["submitted", "screening", "awaiting_sign_off"]) {
    await expect(editor.getByTestId(`home-count-${state}`).locator(".home-count")).toHaveText(String(await count(state)));
  }
  await expect(editor.getByTestId("home-count-submitted").locator(".home-count")).toHaveText("2");
  await expect(editor.getByTestId("notify-state")).toHaveText("已开启系统通知");
  // Each count is a link to the list it counts.
  await editor.getByTestId("home-count-submitted").click();
  await expect(editor.getByTestId("review-item")).toHaveCount(2, { timeout: 15_000 });
  await expect(editor.getByTestId("state-filter")).toHaveValue("submitted");
  await editor.getByTestId("home-link").click();
  await expect(editor.getByTestId("home-urgent")).toContainText("没有未办结的紧急信息");
  // A second tab of the same browser, on the queue.
  const second = await pe.newPage();
  await second.goto(`${server.url}/review`);
  await expect(second.getByTestId("review-item")).toHaveCount(2, { timeout: 15_000 });

  // The officer submits an urgent item: both open tabs hear of it within seconds.
  const title = "兰州湾镇突降冰雹 300亩农田受灾";
  await push(officer.request, server.url, 0xa1, [item(3, title, { item_type: "urgent", event_time: Date.now() })]);
  await expect(editor).toHaveTitle(/^\(1\) /, { timeout: 10_000 });
  await expect(editor.getByTestId("urgent-banner")).toContainText("1 条新到紧急信息");
  await expect(second.getByTestId("urgent-banner")).toContainText("1 条新到紧急信息");
  await expect(second).toHaveTitle(/^\(1\) /);
  // The home page lists it with its countdown; one system notification, with its title.
  await expect(editor.getByTestId("home-urgent-row")).toContainText(title);
  await expect(editor.getByTestId("home-urgent-row").getByTestId("deadline")).toBeVisible();
  await expect(editor.getByTestId("home-count-submitted").locator(".home-count")).toHaveText("3");
  const notes = async () => [...(await editor.evaluate(() => (window as any).__notes)), ...(await second.evaluate(() => (window as any).__notes))];
  await expect.poll(notes).toEqual([["新到紧急信息", title]]);
  // One connection for the browser, however many tabs.
  expect(listening.length).toBe(1);
  // The banner opens the item; the count goes, in the other tab too.
  await editor.getByTestId("urgent-banner-link").click();
  await expect(editor.getByTestId("review-title")).toHaveValue(title);
  await expect(editor).not.toHaveTitle(/^\(/);
  await expect(second.getByTestId("urgent-banner")).toHaveCount(0);
  await expect(second).not.toHaveTitle(/^\(/);
  // The listening tab closes: the other takes the connection over and hears the next one.
  await editor.close();
  await expect.poll(() => listening.length, { timeout: 20_000 }).toBe(2);
  await push(officer.request, server.url, 0xa1, [item(4, "兰州湾镇山洪 转移群众80人", { item_type: "urgent", event_time: Date.now() })]);
  await expect(second).toHaveTitle(/^\(1\) /, { timeout: 10_000 });
  await expect(second.getByTestId("urgent-banner")).toContainText("1 条新到紧急信息");
  await po.close();
  await pe.close();
});
