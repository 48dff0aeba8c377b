// Sync in a real browser against the real server (docs/sync-protocol.md faults that live in the browser):
// drafting with the server down, a connection cut after the server committed, a session that
// expires mid-queue, two tabs, a tab closed with a pending outbox, storage wiped, and a server
// version that changed while the author edited offline.
import { test, expect, logIn, makeJpeg, serverItems, writeItem, XinbaoServer } from "./fixtures";
import type { Browser } from "@playwright/test";
import type { Page, APIRequestContext } from "@playwright/test";


test("20 items written and submitted with the server down all arrive once when it returns, with badge, progress and receipts", async ({ page, server }) => {
  // Twenty items typed through the editor: a long scenario on a slow machine.
  test.setTimeout(180_000);
  await logIn(page, server, "officer", "Chunfeng-2026");
  await expect(page.getByTestId("net-badge")).toHaveText("在线");
  await server.stop();
  for (let i = 1; i <= 20; i++) {
    await writeItem(page, `兰州湾镇第${i}号信息`, `6月${i}日，兰州湾镇受灾农田${i * 100}亩，已组织抢收。`, true);
  }
  await page.getByTestId("sync-now").click();
  await expect(page.getByTestId("net-badge")).toHaveText("离线");
  await expect(page.getByTestId("pending-count")).toHaveText("待发送 20");
  await expect(page.getByTestId("sync-problem")).toContainText("稿件已安全保存在本机");
  await expect(page.getByTestId("item-status").first()).toHaveText("待报送");

  // Record every progress text the bar shows while sending.
  await page.evaluate(() => {
    (window as any).progressSeen = [];
    new MutationObserver(() => {
      const t = document.querySelector('[data-testid="sync-progress"]')?.textContent;
      if (t) (window as any).progressSeen.push(t);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await server.start();
  // The network is back: the browser says so, and the app goes at once.
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(page.getByTestId("pending-count")).toHaveText("待发送 0", { timeout: 20_000 });
  await expect(page.getByTestId("net-badge")).toHaveText("在线");
  await expect(page.getByTestId("last-sync")).toContainText("上次同步");
  const seen: string[] = await page.evaluate(() => (window as any).progressSeen);
  expect(seen.some((t) => /正在报送 \d+\/20/.test(t))).toBe(true);
  await expect(page.getByTestId("item-status").filter({ hasText: "已报送" })).toHaveCount(20);

  const items = await serverItems(page.request, server);
  expect(items).toHaveLength(20);
  expect(new Set(items.map((i) => i.content.title)).size).toBe(20);
  expect(items.every((i) => i.state === "submitted")).toBe(true);

  await page.getByTestId("receipts-link").click();
  await expect(page.getByTestId("receipt").filter({ hasText: "报送" }).filter({ hasText: "已接收" })).toHaveCount(20);
  await page.getByTestId("receipt-search").fill("第7号");
  // Item 7 was submitted once; a round while it was still being written may also have carried
  // a save of it (acknowledged when the server came back): the search shows item 7 only.
  await expect(page.getByTestId("receipt").filter({ hasText: "报送" })).toHaveCount(1);
  const shown = await page.getByTestId("receipt").allTextContents();
  expect(shown.length).toBeGreaterThanOrEqual(1);
  expect(shown.every((t) => t.includes("第7号"))).toBe(true);
  // A submitted item is the office's now: its fields are locked.
  // Opened from its submission's receipt (a save's receipt, when there is one, links to it too).
  await page.getByTestId("receipt").filter({ hasText: "报送" }).getByRole("link", { name: "兰州湾镇第7号信息" }).click();
  await expect(page.getByTestId("editor-status")).toHaveText("已报送");
  await expect(page.getByTestId("body")).toBeDisabled();
});

test("a push whose answer is lost after the server committed is sent again and counted once", async ({ page, server }) => {
  let cut = 0;
  // Every mutation the browser sent, by mid: how often, and for which item.
  const sent = new Map<number, { item: string; times: number }>();
  await page.route("**/api/sync/push", async (route) => {
    for (const m of route.request().postDataJSON().mutations as { mid: number; item_id: string }[]) {
      const s = sent.get(m.mid) ?? { item: m.item_id, times: 0 };
      s.times++;
      sent.set(m.mid, s);
    }
    // The server commits; the answer never reaches the browser (twice).
    if (cut < 2) {
      cut++;
      await route.fetch();
      return route.abort("connectionreset");
    }
    return route.continue();
  });
  await logIn(page, server, "officer", "Chunfeng-2026");
  await writeItem(page, "断线重发的稿件", "5月2日，全镇完成小麦收割3.2万亩。", true);
  await writeItem(page, "第二篇断线稿件", "5月3日，全镇新建蔬菜大棚40座。", false);
  await expect.poll(() => cut, { timeout: 15_000 }).toBe(2);
  await page.getByTestId("sync-now").click();
  await expect(page.getByTestId("pending-count")).toHaveText("待发送 0", { timeout: 15_000 });
  const items = await serverItems(page.request, server);
  expect(items.map((i) => i.content.title).sort()).toEqual(["断线重发的稿件", "第二篇断线稿件"].sort());
  const submitted = items.find((i) => i.content.title === "断线重发的稿件");
  expect(submitted.state).toBe("submitted");
  // Some mutation went out more than once, yet each moved the item on by exactly one revision:
  // (whether the save went alone before the submission depends on how fast the typing was).
  expect([...sent.values()].some((s) => s.times > 1)).toBe(true);
  const distinct = [...sent.values()].filter((s) => s.item === submitted.id).length;
  expect(distinct).toBeGreaterThan(0);
  expect(submitted.rev).toBe(distinct);
});

test("a session that expires mid-queue asks for the password, then the queue resumes", async ({ page, context, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.route("**/api/sync/**", (route) => route.abort());
  await writeItem(page, "会话过期前写的稿件", "4月8日，全镇发放补贴资金120万元。", true);
  // The session ends on the server side (expired, or revoked by an administrator).
  await context.clearCookies();
  await page.unroute("**/api/sync/**");
  await page.getByTestId("sync-now").click();
  await expect(page.getByTestId("relogin")).toContainText("登录已过期");
  await expect(page.getByTestId("pending-count")).toHaveText("待发送 1");
  await page.getByTestId("relogin-password").fill("Chunfeng-2026");
  await page.getByRole("button", { name: "继续" }).click();
  await expect(page.getByTestId("relogin")).toHaveCount(0);
  await expect(page.getByTestId("pending-count")).toHaveText("待发送 0", { timeout: 15_000 });
  await expect(page.getByTestId("item-status")).toHaveText("已报送");
});

test("two tabs: one syncs at a time, the other hears about it; a tab closed mid-push loses nothing", async ({ context, server }) => {
  const a = await context.newPage();
  await logIn(a, server, "officer", "Chunfeng-2026");
  const b = await context.newPage();
  await b.goto(server.url);
  await expect(b.getByRole("heading", { name: "我的稿件" })).toBeVisible();
  // Tab A's pushes hang (a slow line); A is closed in the middle of one.
  let started!: () => void;
  const pushing = new Promise<void>((ok) => (started = ok));
  await a.route("**/api/sync/push", async (route) => {
    started();
    await new Promise((r) => setTimeout(r, 60_000));
    await route.continue().catch(() => {});
  });
  await b.route("**/api/sync/**", (route) => route.abort());
  await writeItem(a, "甲标签页的稿件", "3月1日，全镇植树造林500亩。", true);
  await writeItem(b, "乙标签页的稿件", "3月2日，全镇清理河道12公里。", true);
  await a.getByTestId("sync-now").click();
  await pushing;
  await a.close();
  // Tab B takes over once the lock is free and sends everything, once.
  await b.unroute("**/api/sync/**");
  await b.getByTestId("sync-now").click();
  await expect(b.getByTestId("pending-count")).toHaveText("待发送 0", { timeout: 15_000 });
  await expect(b.getByTestId("item-status").filter({ hasText: "已报送" })).toHaveCount(2);
  const items = await serverItems(b.request, server);
  expect(items.map((i) => i.content.title).sort()).toEqual(["乙标签页的稿件", "甲标签页的稿件"].sort());

  // A tab opened afterwards shows the same states.
  const c = await context.newPage();
  await c.goto(server.url);
  await expect(c.getByTestId("item-status").filter({ hasText: "已报送" })).toHaveCount(2);
});

test("a tab closed offline with a pending outbox sends it on the next launch", async ({ context, server }) => {
  const a = await context.newPage();
  await logIn(a, server, "officer", "Chunfeng-2026");
  await server.stop();
  await writeItem(a, "离线时关闭的稿件", "2月5日，全镇排查隐患17处。", true);
  await a.close();
  await server.start();
  const b = await context.newPage();
  await b.goto(server.url);
  // The last tab was closed: the sealed drafts need the password again (the shipped default).
  await expect(b.getByTestId("unlock")).toBeVisible();
  await b.getByLabel("密码", { exact: true }).fill("Chunfeng-2026");
  await b.getByRole("button", { name: "解锁" }).click();
  await expect(b.getByTestId("item-status")).toHaveText("已报送", { timeout: 15_000 });
  expect((await serverItems(b.request, server)).map((i) => i.content.title)).toEqual(["离线时关闭的稿件"]);
});

test("browser storage wiped: a new client id, everything pulled back, the server never confused", async ({ page, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await writeItem(page, "清除前的草稿", "1月9日，全镇走访困难群众86户。", false);
  await expect(page.getByTestId("item-status")).toHaveText("草稿已备份", { timeout: 15_000 });
  const before = await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith("xinbao.client."))?.[1]);
  // The browser evicts the site's storage (or someone clears it).
  await page.evaluate(async () => {
    const me = JSON.parse(localStorage.getItem("xinbao.session")!);
    await new Promise((ok) => { const r = indexedDB.deleteDatabase(`xinbao-u${me.user_id}`); r.onsuccess = ok; r.onblocked = ok; });
  });
  await page.reload();
  await expect(page.getByTestId("draft-list")).toContainText("清除前的草稿", { timeout: 15_000 });
  await expect(page.getByTestId("item-status")).toHaveText("草稿已备份");
  const after = await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith("xinbao.client."))?.[1]);
  expect(before).toBeTruthy();
  expect(after).toBeTruthy();
  expect(after).not.toBe(before);
  // Editing and submitting from the new client works against the pulled revision.
  await page.getByText("清除前的草稿").click();
  await page.getByTestId("body").fill("1月9日，全镇走访困难群众86户，发放慰问金4.3万元。");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("editor-status")).toHaveText("已报送", { timeout: 15_000 });
  const items = await serverItems(page.request, server);
  expect(items).toHaveLength(1);
  expect(items[0].content.body).toContain("4.3万元");
});

/** The officer on two PCs: A writes a draft and backs it up, B receives it, then B goes offline
 * and edits it to `bText` while A edits it to `aText` and syncs. Returns both pages, B's editor
 * open on the draft and about to reconnect. */
async function editedOnTwoDevices(browser: Browser, server: XinbaoServer, title: string, body: string, aText: string, bText: string) {
  const pcA = await browser.newContext({ locale: "zh-CN" });
  const pcB = await browser.newContext({ locale: "zh-CN" });
  const a = await pcA.newPage();
  const b = await pcB.newPage();
  await logIn(a, server, "officer", "Chunfeng-2026");
  await writeItem(a, title, body, false);
  await expect(a.getByTestId("item-status")).toHaveText("草稿已备份", { timeout: 15_000 });
  await logIn(b, server, "officer", "Chunfeng-2026");
  await expect(b.getByTestId("draft-list")).toContainText(title, { timeout: 15_000 });
  await b.route("**/api/sync/**", (route) => route.abort());
  await b.getByText(title).click();
  await b.getByTestId("body").fill(bText);
  await expect(b.getByTestId("save-state")).toContainText("已保存");
  await a.getByText(title).click();
  await a.getByTestId("body").fill(aText);
  await expect(a.getByTestId("save-state")).toContainText("已保存");
  await a.getByTestId("sync-now").click();
  await expect(a.getByTestId("editor-status")).toHaveText("草稿已备份", { timeout: 15_000 });
  await b.unroute("**/api/sync/**");
  return { a, b, close: async () => { await pcA.close(); await pcB.close(); } };
}

test("edited on two devices: both versions survive, the author sees the diff and resolves with one action", async ({ browser, server }) => {
  const { a, b, close } = await editedOnTwoDevices(browser, server, "两台电脑上的稿件", "受灾农田1200亩。", "受灾农田1500亩。", "受灾农田1200亩，无人员伤亡。");

  // B comes back: a conflict, nothing overwritten, the diff shown character by character.
  await b.getByTestId("sync-now").click();
  await expect(b.getByTestId("server-conflict")).toBeVisible({ timeout: 15_000 });
  await expect(b.getByTestId("editor-status")).toHaveText("冲突");
  await expect(b.getByTestId("diff-server").locator("del")).toHaveText(["5"]);
  await expect(b.getByTestId("diff-mine").locator("ins")).toHaveText(["2", "，无人员伤亡"]);
  await expect(b.getByTestId("body")).toHaveValue("受灾农田1200亩，无人员伤亡。");

  // Merge by hand: take A's figure, keep B's sentence, and keep the result on top.
  await b.getByTestId("merge").click();
  await b.getByTestId("body").fill("受灾农田1500亩，无人员伤亡。");
  await expect(b.getByTestId("save-state")).toContainText("已保存");
  await b.getByTestId("merge-done").click();
  await expect(b.getByTestId("server-conflict")).toHaveCount(0);
  await expect(b.getByTestId("editor-status")).toHaveText("草稿已备份", { timeout: 15_000 });
  const items = await serverItems(b.request, server);
  expect(items[0].content.body).toBe("受灾农田1500亩，无人员伤亡。");

  // A, with nothing unsent, simply takes the merged version.
  await a.getByTestId("sync-now").click();
  await expect(a.getByTestId("body")).toHaveValue("受灾农田1500亩，无人员伤亡。", { timeout: 15_000 });
  await close();
});

test("take the server's version: mine is kept as a copy", async ({ browser, server }) => {
  const { b, close } = await editedOnTwoDevices(browser, server, "采用哪一版", "原文。", "甲电脑的改动。", "乙电脑的改动。");
  await b.getByTestId("sync-now").click();
  await b.getByTestId("take-server").click();
  await expect(b.getByTestId("body")).toHaveValue("甲电脑的改动。");
  await expect(b.getByTestId("editor-note")).toContainText("另存为副本");
  await b.getByRole("link", { name: "返回稿件列表" }).click();
  await expect(b.getByTestId("draft-list")).toContainText("采用哪一版（本机版本）");
  await close();
});

test("a photo taken offline reaches the server once, before its item, and shows on the officer's other device", async ({ browser, server }) => {
  const pcA = await browser.newContext({ locale: "zh-CN" });
  const a = await pcA.newPage();
  await logIn(a, server, "officer", "Chunfeng-2026");
  const jpeg = await makeJpeg(a, "#c33", 640, 480);
  // The first upload's answer is lost after the server stored it; the retry must not send the
  // bytes again (HEAD says the server has them).
  const puts: string[] = [];
  await a.route("**/api/attachments/*", async (route) => {
    if (route.request().method() !== "PUT") return route.continue();
    puts.push(route.request().url());
    await route.fetch();
    if (puts.length === 1) return route.abort("connectionreset");
    return route.continue();
  });
  await server.stop();
  await a.getByTestId("new-draft").click();
  await a.getByTestId("title").fill("冰雹现场照片");
  await a.getByTestId("body").fill("6月3日，河西镇冰雹砸坏大棚12座。");
  await a.getByTestId("phone").fill("13912345678");
  await a.getByTestId("photo-input").setInputFiles({ name: "现场.jpg", mimeType: "image/jpeg", buffer: Buffer.from(jpeg, "base64") });
  await expect(a.getByTestId("thumb")).toHaveCount(1);
  await expect(a.getByTestId("save-state")).toContainText("已保存");
  await a.getByTestId("submit").click();
  await expect(a.getByTestId("editor-status")).toHaveText("待报送");
  await server.start();
  await a.getByTestId("sync-now").click();
  await expect.poll(() => puts.length, { timeout: 15_000 }).toBe(1);
  await a.getByTestId("sync-now").click();
  await expect(a.getByTestId("editor-status")).toHaveText("已报送", { timeout: 15_000 });
  expect(puts).toHaveLength(1);

  const items = await serverItems(a.request, server);
  const photo = items[0].content.photos[0];
  expect(photo.name).toBe("现场.jpg");
  const served = await a.request.get(`${server.url}/api/attachments/${photo.sha256}`);
  expect(served.status()).toBe(200);
  expect(served.headers()["content-type"]).toBe("image/jpeg");

  // The officer's other PC: the item arrives by sync, its photo is shown from the server.
  const pcB = await browser.newContext({ locale: "zh-CN" });
  const b = await pcB.newPage();
  await logIn(b, server, "officer", "Chunfeng-2026");
  await b.getByText("冰雹现场照片").click();
  const thumb = b.getByTestId("thumb");
  await expect(thumb).toHaveCount(1);
  await expect(thumb).toHaveAttribute("src", `/api/attachments/${photo.sha256}`);
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await pcA.close();
  await pcB.close();
});

test("a push larger than the server takes is sent in smaller pushes, and one item too large alone is set aside with the reason", async ({ page, server }) => {
  test.setTimeout(120_000);
  // A server that takes at most 40 KB a request: six items of ~10 KB each go in one push of
  // ~60 KB (413), then in halves; one item of ~45 KB cannot go at all.
  await server.stop();
  server.extraArgs = ["--max-body-bytes", "40000"];
  await server.start();
  await logIn(page, server, "officer", "Chunfeng-2026");
  await server.stop();
  const body = (n: number) => `${n}月，兰州湾镇组织抢收受灾农田，镇村干部分片包干，确保颗粒归仓。`.repeat(110);
  for (let i = 1; i <= 6; i++) {
    await writeItem(page, `兰州湾镇抢收第${i}号信息`, body(i), true);
  }
  await writeItem(page, "兰州湾镇全年工作总结（全文）", body(9).repeat(5), true);
  await expect(page.getByTestId("pending-count")).toHaveText("待发送 7");
  await server.start();
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(page.getByTestId("pending-count")).toHaveText("待发送 0", { timeout: 30_000 });
  await expect(page.getByTestId("item-status").filter({ hasText: "已报送" })).toHaveCount(6);
  const big = page.locator(".draft-item").filter({ hasText: "全年工作总结" });
  await expect(big.locator(".failed-why")).toHaveText("这篇稿件太大，服务器无法接收，请删减内容后重新保存");
  const items = await serverItems(page.request, server);
  expect(items.map((i) => i.content.title).sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => `兰州湾镇抢收第${i}号信息`).sort());
  expect(items.every((i) => i.state === "submitted")).toBe(true);
});
