// Carrying drafts between machines on a USB stick: export, import on a clean browser, no
// duplicates on a second import, and another account's file refused.
import { test, expect, logIn, makeJpeg, serverItems, writeItem } from "./fixtures";
import { readFileSync } from "node:fs";

test("export, then import on a clean machine restores every draft with its photos, once", async ({ browser, server }) => {
  // Both machines are offline to the sync endpoint (a USB stick is how drafts travel here), so
  // what is exported and imported is unsent. Without a service worker: requests a service worker
  // makes are not seen by page.route.
  const noSync = { locale: "zh-CN", serviceWorkers: "block" as const };
  const first = await browser.newContext(noSync);
  const page = await first.newPage();
  await page.route("**/api/sync/**", (route) => route.abort());
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("带照片的稿件");
  await page.getByTestId("body").fill("受灾农田1.26万亩，倒塌圈舍3间。");
  const jpeg = await makeJpeg(page, "#3a7");
  await page.getByTestId("photo-input").setInputFiles({ name: "现场.jpg", mimeType: "image/jpeg", buffer: Buffer.from(jpeg, "base64") });
  await expect(page.getByTestId("thumb")).toHaveCount(1);
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  await page.getByRole("link", { name: "返回稿件列表" }).click();
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("第二篇稿件");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  await page.getByRole("link", { name: "返回稿件列表" }).click();

  const downloading = page.waitForEvent("download");
  await page.getByTestId("export").click();
  const download = await downloading;
  const path = await download.path();
  await expect(page.getByTestId("transfer-message")).toHaveText("已导出 2 篇稿件。");
  const exported = JSON.parse(readFileSync(path!, "utf8"));
  expect(exported.format).toBe("xinbao-drafts");
  expect(exported.drafts).toHaveLength(2);
  expect(exported.photos).toHaveLength(1);

  // Another machine: a clean browser profile that can log in but not sync (a USB stick is how
  // drafts reach it; with sync they would simply be pulled from the server).
  const other = await browser.newContext(noSync);
  const p2 = await other.newPage();
  await p2.route("**/api/sync/**", (route) => route.abort());
  await logIn(p2, server, "officer", "Chunfeng-2026");
  await expect(p2.getByText("还没有稿件")).toBeVisible();
  await p2.getByTestId("import").setInputFiles(path!);
  await expect(p2.getByTestId("transfer-message")).toHaveText("已导入 2 篇稿件、1 张照片；0 篇本机已有，未重复导入。");
  await expect(p2.getByTestId("draft-list")).toContainText("带照片的稿件");
  await expect(p2.getByTestId("draft-list")).toContainText("第二篇稿件");
  await p2.getByText("带照片的稿件").click();
  await expect(p2.getByTestId("body")).toHaveValue("受灾农田1.26万亩，倒塌圈舍3间。");
  await expect(p2.getByTestId("thumb")).toHaveCount(1);
  await p2.getByRole("link", { name: "返回稿件列表" }).click();

  await p2.getByTestId("import").setInputFiles(path!);
  await expect(p2.getByTestId("transfer-message")).toHaveText("已导入 0 篇稿件、0 张照片；2 篇本机已有，未重复导入。");
  await expect(p2.getByTestId("result-count")).toHaveText("共 2");


  // A file with twelve photos on one draft (made by hand, or by another program): nine come in,
  // and the message says what was left out.
  const crowded = JSON.parse(JSON.stringify(exported));
  const draft = { ...crowded.drafts.find((d: any) => d.title === "带照片的稿件"), id: "c".repeat(32), title: "十二张照片的稿件" };
  crowded.drafts = [draft];
  crowded.photos = [...Array(12)].map((_, k) => ({ ...exported.photos[0], id: `p${k}`, draft_id: draft.id, name: `现场${k}.jpg` }));
  await p2.getByTestId("import").setInputFiles({ name: "crowded.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(crowded)) });
  await expect(p2.getByTestId("transfer-message")).toContainText("已导入 1 篇稿件、9 张照片");
  await expect(p2.getByTestId("transfer-message")).toContainText("有 3 张照片超出每篇9张的上限，未导入。");

  // Someone else's drafts are not theirs to import.
  await p2.getByTestId("logout").click();
  await p2.getByRole("button", { name: "仍然退出" }).click();
  await logIn(p2, server, "officer2", "Dafeng-2026");
  await p2.getByTestId("import").setInputFiles(path!);
  await expect(p2.getByTestId("transfer-message")).toHaveText("此文件属于账号“officer”，请用该账号登录后导入");
  await p2.getByTestId("import").setInputFiles({ name: "x.json", mimeType: "application/json", buffer: Buffer.from("{not json") });
  await expect(p2.getByTestId("transfer-message")).toContainText("这不是信报导出的稿件文件");
  await other.close();
  await first.close();
});

test("the USB round trip: submitted on PC B from a copy, 保留我的版本 on PC A keeps A's text as a copy and shows what the office holds", async ({ browser, server }) => {
  test.setTimeout(120_000);
  const a = await (await browser.newContext({ locale: "zh-CN" })).newPage();
  await logIn(a, server, "officer", "Chunfeng-2026");
  await writeItem(a, "U盘带走的稿件", "10月8日，兰州湾镇完成秋播小麦2.3万亩。", false);
  const rowA = a.getByTestId("draft-list").locator("li").filter({ hasText: "U盘带走的稿件" }).first();
  await expect(rowA.getByTestId("item-status")).toHaveText("草稿已备份", { timeout: 20_000 });
  const downloading = a.waitForEvent("download");
  await a.getByTestId("export").click();
  const path = await (await downloading).path();

  // PC A goes offline and keeps editing.
  await a.context().route("**/api/sync/**", (route) => route.abort());
  await a.getByText("U盘带走的稿件").click();
  await a.getByTestId("body").fill("10月8日，兰州湾镇完成秋播小麦2.3万亩（甲电脑改）。");
  await expect(a.getByTestId("save-state")).toContainText("已保存");
  await a.getByRole("link", { name: "返回稿件列表" }).click();

  // PC B imports the file, edits and submits.
  const b = await (await browser.newContext({ locale: "zh-CN" })).newPage();
  await b.route("**/api/sync/**", (route) => route.abort());
  await logIn(b, server, "officer", "Chunfeng-2026");
  await b.getByTestId("import").setInputFiles(path!);
  await expect(b.getByTestId("transfer-message")).toContainText("已导入 1 篇稿件");
  await b.unroute("**/api/sync/**");
  await b.getByText("U盘带走的稿件").click();
  await b.getByTestId("body").fill("10月8日，兰州湾镇完成秋播小麦2.3万亩，出苗率95%（乙电脑报送）。");
  await b.getByTestId("phone").fill("13912345678");
  await expect(b.getByTestId("save-state")).toContainText("已保存");
  await b.getByTestId("submit").click();
  await expect(b.getByTestId("editor-status")).toHaveText("已报送", { timeout: 20_000 });

  // PC A comes back: its edit meets the submitted version; the author keeps hers.
  await a.context().unroute("**/api/sync/**");
  await a.getByText("U盘带走的稿件").first().click();
  await a.getByTestId("sync-now").click();
  await expect(a.getByTestId("server-conflict")).toBeVisible({ timeout: 20_000 });
  await a.getByTestId("keep-mine").click();
  await expect(a.getByTestId("editor-note")).toContainText("另存为副本");
  // This PC now shows what the office holds — B's text — and never 已报送 beside A's.
  await expect(a.getByTestId("body")).toHaveValue("10月8日，兰州湾镇完成秋播小麦2.3万亩，出苗率95%（乙电脑报送）。");
  await expect(a.getByTestId("editor-status")).toHaveText("已报送");
  await a.getByRole("link", { name: "返回稿件列表" }).click();
  await expect(a.getByTestId("draft-list")).toContainText("U盘带走的稿件（本机版本）");
  const held = await serverItems(a.request, server);
  expect(held.filter((i) => i.content.title === "U盘带走的稿件")).toHaveLength(1);
  expect(held.find((i) => i.content.title === "U盘带走的稿件").content.body).toContain("乙电脑报送");
  await a.context().close();
  await b.context().close();
});

test("what leaves the PC on a USB stick is the user's own unsent work: nothing submitted, nothing of someone else's", async ({ browser, server }) => {
  test.setTimeout(90_000);
  server.addUser("editor", "Chunfeng-2026", "editor", undefined, "王编辑");
  const officer = await (await browser.newContext({ locale: "zh-CN" })).newPage();
  await logIn(officer, server, "officer", "Chunfeng-2026");
  await officer.getByTestId("new-draft").click();
  await officer.getByTestId("title").fill("已报送的稿件");
  await officer.getByTestId("body").fill("10月8日，兰州湾镇完成秋播小麦2.3万亩。");
  await officer.getByTestId("phone").fill("13912345678");
  await expect(officer.getByTestId("save-state")).toContainText("已保存");
  await officer.getByTestId("submit").click();
  await expect(officer.getByTestId("editor-status")).toHaveText("已报送", { timeout: 20_000 });
  await officer.getByRole("link", { name: "返回稿件列表" }).click();
  await writeItem(officer, "还在写的稿件", "10月9日，兰州湾镇开始冬季农田水利建设。", false);
  const downloading = officer.waitForEvent("download");
  await officer.getByTestId("export").click();
  const mine = JSON.parse(readFileSync((await (await downloading).path())!, "utf8"));
  await expect(officer.getByTestId("transfer-message")).toHaveText("已导出 1 篇稿件。");
  expect(mine.drafts.map((d: any) => d.title)).toEqual(["还在写的稿件"]);

  // The editor's PC holds the officer's submitted item for review: it is not the editor's to carry.
  const editor = await (await browser.newContext({ locale: "zh-CN" })).newPage();
  await logIn(editor, server, "editor", "Chunfeng-2026");
  await editor.getByTestId("review-link").click();
  await expect(editor.getByTestId("review-item")).toHaveCount(1, { timeout: 20_000 });
  await editor.goto(server.url + "/");
  const editorDownload = editor.waitForEvent("download");
  await editor.getByTestId("export").click();
  const theirs = readFileSync((await (await editorDownload).path())!, "utf8");
  expect(JSON.parse(theirs).drafts).toHaveLength(0);
  expect(theirs).not.toContain("已报送的稿件");
  expect(theirs).not.toContain("秋播小麦");
  await officer.context().close();
  await editor.context().close();
});
