// The periodical, commissions and urgent reporting in Chromium (issue 7): the editor composes
// and publishes an issue from three signed items (order, masthead, print view, Word file, the
// adoptions it records); a commission reaches an officer who then goes offline, is answered
// there and shows as answered on time; an urgent chain of three reports is one thread on both
// desks with the late first report flagged.
import { test, expect, logIn, hex, push, documentXml } from "./fixtures";



test("the editor composes and publishes an issue of three signed items, in order, printed and as Word", async ({ browser, server }) => {
  server.addUser("editor", "Chunfeng-2026", "editor", undefined, "王编辑");
  server.addUser("signer", "Chunfeng-2026", "signer", undefined, "赵主任");
  const [po, pe, ps] = [await browser.newContext({ locale: "zh-CN" }), await browser.newContext({ locale: "zh-CN", acceptDownloads: true }), await browser.newContext({ locale: "zh-CN" })];
  const officer = await po.newPage();
  const editor = await pe.newPage();
  const signer = await ps.newPage();
  await logIn(officer, server, "officer", "Chunfeng-2026");
  await logIn(editor, server, "editor", "Chunfeng-2026");
  await logIn(signer, server, "signer", "Chunfeng-2026");
  const titles = ["兰州湾镇抢收小麦1.2万亩", "兰州湾镇推进秸秆还田", "兰州湾镇开展安全生产大检查"];
  await push(officer.request, server.url, 0xa1, titles.map((title, i) => ({
    mid: i + 1, item_id: hex(i + 1), base_rev: 0, op: "submit",
    content: { title, body: `6月${i + 3}日，兰州湾镇${title.slice(4)}，涉及12个村。\n下一步将持续推进。`, phone: "13912345678" },
  })));
  let mid = 0;
  for (const n of [1, 2, 3]) {
    await push(editor.request, server.url, 0xe1, ["screen", "edit", "send_to_sign_off"].map((action, k) => ({ mid: ++mid, item_id: hex(n), base_rev: k + 1, op: "act", action })));
  }
  await push(signer.request, server.url, 0x51, [1, 2, 3].map((n, k) => ({ mid: k + 1, item_id: hex(n), base_rev: 4, op: "act", action: "sign" })));

  await editor.getByTestId("periodical-nav").click();
  await editor.getByTestId("new-issue").click();
  await expect(editor.getByTestId("masthead")).toBeVisible();
  await expect(editor.getByTestId("issue-number")).toHaveValue("1");
  await editor.getByTestId("issue-number").fill("12");
  await editor.getByTestId("issue-total").fill("345");
  await editor.getByTestId("issue-signer").fill("赵主任");
  await editor.getByTestId("issue-note").fill("本期刊发“三夏”工作动态。");
  await editor.getByTestId("issue-report-to").fill("市政府办公室");
  await editor.getByTestId("issue-send-to").fill("各乡镇、县直各部门");
  // Picked in one order, then rearranged with a button and with the keyboard.
  for (const t of [titles[2], titles[0], titles[1]]) {
    await editor.getByTestId("candidate").filter({ hasText: t }).getByTestId("candidate-add").click();
  }
  const placed = editor.getByTestId("issue-item");
  await expect(placed).toHaveCount(3);
  await placed.nth(1).getByTestId("item-up").click(); // 0, 2, 1
  await placed.nth(2).focus();
  await editor.keyboard.press("Alt+ArrowUp"); // 0, 1, 2
  await expect(placed.locator(".issue-item-title")).toHaveText(titles);
  await editor.getByTestId("issue-save").click();
  await expect(editor.getByTestId("issue-message")).toHaveText("已保存");
  await editor.getByTestId("issue-publish").click();
  await editor.getByTestId("issue-publish-confirm").click();

  // Published: the print view, in order, the red masthead.
  const printed = editor.getByTestId("issue-printed");
  await expect(printed).toBeVisible();
  await expect(editor.getByTestId("masthead-name")).toHaveText("林双政务信息");
  await expect(printed).toContainText("第12期　总第345期");
  await expect(editor.getByTestId("issue-article").locator("h2")).toHaveText(titles);
  await expect(printed).toContainText("签发：赵主任");
  await editor.emulateMedia({ media: "print" });
  await expect(editor.locator("header").first()).toBeHidden();
  await expect(editor.getByTestId("issue-print")).toBeHidden();
  await expect(editor.getByTestId("issue-article")).toHaveCount(3);
  await editor.emulateMedia({ media: "screen" });
  // The Word file: every title in the same order, the masthead first.
  const [download] = await Promise.all([editor.waitForEvent("download"), editor.getByTestId("issue-docx").click()]);
  expect(download.suggestedFilename()).toMatch(/^林双政务信息\d{4}年第12期\.docx$/);
  const xml = documentXml((await download.path())!);
  const at = titles.map((t) => xml.indexOf(t));
  expect(at.every((i) => i > xml.indexOf("总第345期"))).toBe(true);
  expect(at).toEqual([...at].sort((a, b) => a - b));
  // Placing an item recorded its adoption (full text) and its points.
  const scoring = await (await editor.request.get(`${server.url}/api/items/${hex(2)}/scoring`)).json();
  expect(scoring.adoptions[0].form).toBe("full");
  expect(scoring.adoptions[0].issue).toContain("第12期（总第345期）");
  expect(scoring.events.map((e: any) => e.rule)).toContain("county_full");
  // The officer whose unit's items it carries reads it; the list shows it as published.
  await officer.goto(`${server.url}/periodical`);
  await expect(officer.getByTestId("issue-row")).toContainText("已印发");
  await officer.getByTestId("issue-row").locator("a").click();
  await expect(officer.getByTestId("issue-article")).toHaveCount(3);
  await po.close(); await pe.close(); await ps.close();
});

test("a commission reaches the officer in one sync, is answered offline, and shows as answered on time", async ({ browser, server }) => {
  server.addUser("editor", "Chunfeng-2026", "editor", undefined, "王编辑");
  const [po, pe] = [await browser.newContext({ locale: "zh-CN" }), await browser.newContext({ locale: "zh-CN" })];
  const officer = await po.newPage();
  const editor = await pe.newPage();
  await logIn(officer, server, "officer", "Chunfeng-2026");
  await logIn(editor, server, "editor", "Chunfeng-2026");
  await editor.getByTestId("commissions-nav").click();
  await editor.getByTestId("commission-topic").fill("秋粮收购进展");
  await editor.getByTestId("commission-description").fill("请报送秋粮收购中的新情况、新问题。");
  const deadline = await editor.evaluate(() => new Date(Date.now() + 8 * 3600_000 + 5 * 86400_000).toISOString().slice(0, 10));
  await editor.getByTestId("commission-deadline").fill(deadline);
  // A commission must ask someone.
  await editor.getByTestId("commission-publish").click();
  await expect(editor.getByTestId("commission-message")).toHaveText("约稿须指定约稿单位");
  await editor.getByTestId("commission-units").getByLabel("兰州湾镇").check();
  await editor.getByTestId("commission-publish").click();
  await expect(editor.getByTestId("commission-message")).toHaveText("已发布");
  await expect(editor.getByTestId("standing-row").filter({ hasText: "兰州湾镇" })).toContainText("尚未报送");

  // One sync brings it to the officer's desk.
  await officer.getByTestId("sync-now").click();
  await expect(officer.getByTestId("alert").filter({ hasText: "秋粮收购进展" })).toContainText("新约稿");
  // Offline from here: the desk still shows it, and a draft answers it.
  await server.stop();
  await po.setOffline(true);
  await officer.reload();
  await expect(officer.getByTestId("alert").filter({ hasText: "秋粮收购进展" })).toBeVisible({ timeout: 15_000 });
  await expect(officer.getByTestId("alerts-as-of")).toContainText("上次同步");
  await officer.getByTestId("new-draft").click();
  await officer.getByTestId("title").fill("兰州湾镇秋粮收购过半");
  await officer.getByTestId("body").fill("截至11月20日，全镇收购秋粮1.2万吨，同比增长8%，收购价格稳定。");
  await officer.getByTestId("phone").fill("13912345678");
  await officer.getByTestId("commission").selectOption({ label: `秋粮收购进展 · 约稿（${deadline}）` });
  await expect(officer.getByTestId("save-state")).toContainText("已保存");
  await officer.getByTestId("submit").click();
  await expect(officer.getByTestId("editor-status")).toHaveText("待报送");
  // Back online: it goes, and the office sees the answer in time.
  await server.start();
  await po.setOffline(false);
  await officer.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(officer.getByTestId("editor-status")).toHaveText("已报送", { timeout: 20_000 });
  await editor.reload();
  const row = editor.getByTestId("standing-row").filter({ hasText: "兰州湾镇" });
  await expect(row).toContainText("按时报送");
  await expect(row).toContainText("兰州湾镇秋粮收购过半");
  // The officer's own desk says so after the next sync.
  await officer.getByRole("link", { name: "返回稿件列表" }).click();
  await officer.getByTestId("sync-now").click();
  await expect(officer.getByTestId("alert").filter({ hasText: "秋粮收购进展" })).toHaveCount(0);
  await po.close(); await pe.close();
});

test("an urgent chain of three reports is one thread on both desks, the late first report flagged", async ({ browser, server }) => {
  server.addUser("editor", "Chunfeng-2026", "editor", undefined, "王编辑");
  const [po, pe] = [await browser.newContext({ locale: "zh-CN" }), await browser.newContext({ locale: "zh-CN" })];
  const officer = await po.newPage();
  const editor = await pe.newPage();
  await logIn(officer, server, "officer", "Chunfeng-2026");
  await logIn(editor, server, "editor", "Chunfeng-2026");
  // From the officer's phone: the first report two hours after the hail (the written report is
  // due within 60 minutes), then a follow-up and the final report.
  const event = Date.now() - 2 * 3600_000;
  const base = { item_type: "urgent", event_time: event, phone: "13912345678" };
  await push(officer.request, server.url, 0xb1, [
    { mid: 1, item_id: hex(0x11), base_rev: 0, op: "submit", content: { ...base, title: "兰州湾镇遭受冰雹灾害（初报）", body: "6月14日18时20分，兰州湾镇王庄村突降冰雹，受灾农田约3000亩，无人员伤亡，镇政府已组织排查。" } },
    { mid: 2, item_id: hex(0x12), base_rev: 0, op: "submit", content: { ...base, title: "兰州湾镇冰雹灾害（续报一）", body: "截至6月15日12时，核定受灾面积1.31万亩。", stage: { stage: "follow_up", n: 1 }, follows: hex(0x11) } },
    { mid: 3, item_id: hex(0x13), base_rev: 0, op: "submit", content: { ...base, title: "兰州湾镇冰雹灾害（终报）", body: "6月16日，灾后补种全部完成。", stage: { stage: "final" }, follows: hex(0x12) } },
  ]);
  for (const [page, list] of [[officer, "draft-list"], [editor, "review-list"]] as const) {
    if (page === editor) await page.getByTestId("review-link").click();
    await page.getByTestId("sync-now").click();
    await expect(page.getByTestId(list)).toBeVisible({ timeout: 15_000 });
    const chain = page.getByTestId("chain");
    await expect(chain).toHaveCount(1, { timeout: 15_000 });
    await expect(chain.getByTestId("chain-report")).toHaveCount(3);
    await expect(chain.getByTestId("chain-report").first()).toContainText("初报");
    await expect(chain.getByTestId("chain-report").last()).toContainText("终报");
    await expect(chain.getByTestId("chain-late")).toHaveCount(1);
    await expect(chain.getByTestId("chain-report").first().getByTestId("chain-late")).toContainText("迟报");
  }
  // The officer's editor shows the deadline as passed and the five elements of the first report.
  await officer.getByTestId("chain-report").first().locator("a").click();
  await expect(officer.getByTestId("urgent-countdown")).toContainText("书面报告已超时");
  await expect(officer.getByTestId("urgent-element")).toHaveCount(5);
  await expect(officer.getByTestId("urgent-element").filter({ hasText: "✗" })).toHaveCount(0);
  // The lateness is scored: −10 on the first report.
  const scoring = await (await editor.request.get(`${server.url}/api/items/${hex(0x11)}/scoring`)).json();
  expect(scoring.events.map((e: any) => [e.rule, e.centi])).toContainEqual(["urgent_late", -1000]);
  await po.close(); await pe.close();
});
