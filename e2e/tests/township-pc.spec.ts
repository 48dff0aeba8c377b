// A real township PC, in real persistent browser profiles, on the shipped defaults (local
// encryption on): a restore card that rolls the disk back at every reboot, a profile copied to a
// second PC, a password reset by the administrator while this PC holds unsent drafts, and the
// browser's storage half-cleared. Each ends with the server holding every item once — never a
// desk that says 已报送 for something the county never got, never a draft deleted.
import { test, expect, logIn, serverItems, writeItem, XinbaoServer } from "./fixtures";
import { chromium, type BrowserContext, type Page } from "@playwright/test";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = (process.env.XINBAO_CHROMIUM_ARGS ??
  "--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking --disable-component-update --disable-sync --no-first-run").split(" ");

/** Starts the browser on the profile in `dir` (a PC booting), on the app. */
async function boot(dir: string, server: XinbaoServer): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.XINBAO_CHROMIUM ?? "/usr/bin/chromium",
    args,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => {
    if (m.type() === "error" && m.text().includes("panicked")) console.error(`WASM PANIC in ${page.url()}: ${m.text()}`);
  });
  await page.goto(server.url);
  return { context, page };
}

/** After a boot: the unlock page (sealed drafts, new browser session) takes the password. */
async function unlockWith(page: Page, password: string) {
  await expect(page.getByTestId("unlock")).toBeVisible();
  await page.getByLabel("密码", { exact: true }).fill(password);
  await page.getByRole("button", { name: "解锁" }).click();
  await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible({ timeout: 20_000 });
}


function titlesOf(items: any[]): string[] {
  return items.map((i) => i.content.title).sort();
}

const row = (page: Page, title: string) => page.getByTestId("draft-list").locator("li, tr, article").filter({ hasText: title }).first();

test.beforeEach(async ({ server }) => {
  // The shipped default.
  await server.stop();
  server.localEncryption = true;
  await server.start();
});

test("a restore card rolls the PC back: what is written after is really sent, once, and the PC says it goes back in time", async ({ server }) => {
  test.setTimeout(180_000);
  const root = mkdtempSync(join(tmpdir(), "xinbao-pc-"));
  const pc = join(root, "profile");
  const image = join(root, "restore-card-image");
  try {
    // Monday: the PC is set up, the officer logs in and sends a first report.
    let { context, page } = await boot(pc, server);
    await logIn(page, server, "officer", "Chunfeng-2026");
    await writeItem(page, "周一：河西镇冰雹灾情", "6月3日下午，河西镇遭受冰雹，受灾农田300亩。", true);
    await expect(page.getByTestId("pending-count")).toHaveText("待发送 0", { timeout: 20_000 });
    await context.close();
    // The restore card's image is taken of the disk as it is now.
    cpSync(pc, image, { recursive: true });

    // Tuesday: two more reports go out and are acknowledged.
    ({ context, page } = await boot(pc, server));
    await unlockWith(page, "Chunfeng-2026");
    await writeItem(page, "周二：河西镇抢收小麦", "6月4日，河西镇抢收小麦1.2万亩。", true);
    await writeItem(page, "周二：河西镇防汛检查", "6月4日，河西镇检查堤防12公里。", true);
    await expect(page.getByTestId("pending-count")).toHaveText("待发送 0", { timeout: 20_000 });
    await context.close();

    // Reboot: the card puts Monday's disk back — the browser's next mutation id with it.
    rmSync(pc, { recursive: true, force: true });
    cpSync(image, pc, { recursive: true });

    // Wednesday: a new report, written and submitted on the rolled-back PC.
    ({ context, page } = await boot(pc, server));
    await unlockWith(page, "Chunfeng-2026");
    await writeItem(page, "周三：河西镇道路塌方", "6月5日凌晨，河西镇一段村道塌方20米，无人员伤亡。", true);
    await expect(page.getByTestId("pending-count")).toHaveText("待发送 0", { timeout: 30_000 });
    // The PC says plainly that it goes back in time.
    await expect(page.getByTestId("went-back")).toContainText("还原", { timeout: 20_000 });
    // The desk shows 已报送 for it — and the server holds it, once, with that text.
    await expect(row(page, "周三：河西镇道路塌方").getByTestId("item-status")).toHaveText("已报送", { timeout: 20_000 });
    const held = await serverItems(page.request, server);
    expect(titlesOf(held)).toEqual(["周三：河西镇道路塌方", "周二：河西镇抢收小麦", "周二：河西镇防汛检查", "周一：河西镇冰雹灾情"].sort());
    const wed = held.filter((i) => i.content.title === "周三：河西镇道路塌方");
    expect(wed.length).toBe(1);
    expect(wed[0].state).toBe("submitted");
    expect(wed[0].content.body).toBe("6月5日凌晨，河西镇一段村道塌方20米，无人员伤亡。");
    // Tuesday's reports, lost from the disk by the rollback, come back from the server.
    await expect(page.getByTestId("draft-list")).toContainText("周二：河西镇抢收小麦", { timeout: 20_000 });
    await expect(page.getByTestId("draft-list")).toContainText("周二：河西镇防汛检查");
    await context.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a profile copied to a second PC: both PCs send their own reports, each reaches the server once", async ({ server }) => {
  test.setTimeout(180_000);
  const root = mkdtempSync(join(tmpdir(), "xinbao-pc-"));
  const a = join(root, "pc-a");
  const b = join(root, "pc-b");
  try {
    let { context, page } = await boot(a, server);
    await logIn(page, server, "officer", "Chunfeng-2026");
    await writeItem(page, "复制前：兰州湾镇秋粮收购", "截至10月20日，全镇收购秋粮1.2万吨。", true);
    await expect(page.getByTestId("pending-count")).toHaveText("待发送 0", { timeout: 20_000 });
    await context.close();
    cpSync(a, b, { recursive: true });

    const pcA = await boot(a, server);
    await unlockWith(pcA.page, "Chunfeng-2026");
    const pcB = await boot(b, server);
    await unlockWith(pcB.page, "Chunfeng-2026");
    await writeItem(pcA.page, "甲电脑：兰州湾镇安全检查", "10月21日，兰州湾镇检查企业15家。", true);
    await expect(row(pcA.page, "甲电脑：兰州湾镇安全检查").getByTestId("item-status")).toHaveText("已报送", { timeout: 30_000 });
    await writeItem(pcB.page, "乙电脑：兰州湾镇秸秆禁烧", "10月21日，兰州湾镇巡查农田2万亩。", true);
    await expect(pcB.page.getByTestId("pending-count")).toHaveText("待发送 0", { timeout: 30_000 });
    await expect(row(pcB.page, "乙电脑：兰州湾镇秸秆禁烧").getByTestId("item-status")).toHaveText("已报送", { timeout: 20_000 });
    const held = await serverItems(pcB.page.request, server);
    expect(titlesOf(held)).toEqual(["乙电脑：兰州湾镇秸秆禁烧", "复制前：兰州湾镇秋粮收购", "甲电脑：兰州湾镇安全检查"].sort());
    // Each PC ends up with all three.
    await pcA.page.getByTestId("sync-now").click();
    await expect(pcA.page.getByTestId("draft-list")).toContainText("乙电脑：兰州湾镇秸秆禁烧", { timeout: 20_000 });
    await expect(pcB.page.getByTestId("draft-list")).toContainText("甲电脑：兰州湾镇安全检查", { timeout: 20_000 });
    await pcA.context.close();
    await pcB.context.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a password reset by the administrator while this PC holds unsent drafts: the new password opens them and they go out", async ({ server }) => {
  test.setTimeout(180_000);
  const root = mkdtempSync(join(tmpdir(), "xinbao-pc-"));
  const pc = join(root, "profile");
  try {
    let { context, page } = await boot(pc, server);
    await logIn(page, server, "officer", "Chunfeng-2026");
    // The line is down: two drafts and a submission stay on this PC.
    await context.route("**/api/sync/**", (route) => route.abort());
    await writeItem(page, "未发送：兰州湾镇冬季供暖", "11月15日起，兰州湾镇集中供暖覆盖3200户。", false);
    await writeItem(page, "未发送：兰州湾镇冬修水利", "兰州湾镇冬修渠道8公里。", true);
    await expect(page.getByTestId("pending-count")).toHaveText("待发送 2", { timeout: 20_000 });
    await context.close();

    // The officer forgot the password; the administrator resets it.
    server.addUser("officer", "Qiushou-2026-x", "officer", "兰州湾镇", "李建军");

    // The browser starts again; the officer types the new password where the old one is asked.
    ({ context, page } = await boot(pc, server));
    await expect(page.getByTestId("unlock")).toBeVisible();
    await expect(page.getByTestId("unlock-new-password-hint")).toContainText("新密码");
    await page.getByLabel("密码", { exact: true }).fill("Qiushou-2026-x");
    await page.getByRole("button", { name: "解锁" }).click();
    await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId("draft-list")).toContainText("未发送：兰州湾镇冬季供暖");
    await expect(page.getByTestId("draft-list")).toContainText("未发送：兰州湾镇冬修水利");
    // They go out: acknowledged by the server, each.
    await expect(row(page, "未发送：兰州湾镇冬季供暖").getByTestId("item-status")).toHaveText("草稿已备份", { timeout: 30_000 });
    await expect(row(page, "未发送：兰州湾镇冬修水利").getByTestId("item-status")).toHaveText("已报送", { timeout: 30_000 });
    const held = await serverItems(page.request, server);
    expect(titlesOf(held)).toEqual(["未发送：兰州湾镇冬季供暖", "未发送：兰州湾镇冬修水利"].sort());
    expect(held.find((i) => i.content.title === "未发送：兰州湾镇冬修水利").state).toBe("submitted");
    // The new password is now the one this PC knows, offline too.
    await context.close();
    ({ context, page } = await boot(pc, server));
    await unlockWith(page, "Qiushou-2026-x");
    await context.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("localStorage cleared with the database kept: the drafts open after login, said plainly, and sync goes on", async ({ page, context, server }) => {
  test.setTimeout(120_000);
  await logIn(page, server, "officer", "Chunfeng-2026");
  await context.route("**/api/sync/**", (route) => route.abort());
  await writeItem(page, "清除前：兰州湾镇春耕备耕", "3月10日，兰州湾镇储备化肥500吨。", false);
  await expect(page.getByTestId("pending-count")).toHaveText("待发送 1", { timeout: 20_000 });
  await page.evaluate(() => localStorage.clear());
  await context.unroute("**/api/sync/**");
  await page.goto(`${server.url}/login`);
  await logIn(page, server, "officer", "Chunfeng-2026");
  await expect(page.getByTestId("storage-event")).toContainText("登录记录被清除");
  await expect(page.getByTestId("draft-list")).toContainText("清除前：兰州湾镇春耕备耕");
  await expect(row(page, "清除前：兰州湾镇春耕备耕").getByTestId("item-status")).toHaveText("草稿已备份", { timeout: 30_000 });
  expect(titlesOf(await serverItems(page.request, server))).toEqual(["清除前：兰州湾镇春耕备耕"]);
});

test("the database cleared with localStorage kept: said plainly, a fresh client id, what the server holds comes back", async ({ page, context, server }) => {
  test.setTimeout(120_000);
  await logIn(page, server, "officer", "Chunfeng-2026");
  await writeItem(page, "已发送：兰州湾镇春耕备耕", "3月10日，兰州湾镇储备化肥500吨。", true);
  await expect(page.getByTestId("pending-count")).toHaveText("待发送 0", { timeout: 20_000 });
  const before = await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith("xinbao.client."))?.[1]);
  expect(before).toBeTruthy();
  // The app's tab closes; another page of the same site clears the database.
  await page.close();
  const cleaner = await context.newPage();
  await cleaner.goto(`${server.url}/healthz`);
  await cleaner.evaluate(async () => {
    const me = JSON.parse(localStorage.getItem("xinbao.session") ?? "null");
    await new Promise<void>((ok, fail) => {
      const r = indexedDB.deleteDatabase(`xinbao-u${me.user_id}`);
      r.onsuccess = () => ok();
      r.onerror = () => fail(r.error);
    });
  });
  const fresh = await context.newPage();
  await fresh.goto(server.url);
  await unlockWith(fresh, "Chunfeng-2026");
  await expect(fresh.getByTestId("storage-event")).toContainText("离线数据被清除");
  await expect(fresh.getByTestId("draft-list")).toContainText("已发送：兰州湾镇春耕备耕", { timeout: 20_000 });
  const after = await fresh.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith("xinbao.client."))?.[1]);
  expect(after).toBeTruthy();
  expect(after).not.toBe(before);
  expect(titlesOf(await serverItems(fresh.request, server))).toEqual(["已发送：兰州湾镇春耕备耕"]);
});

test("a PC whose clock is five days behind shows today's dates once it has talked to the server", async ({ page, server }) => {
  test.setTimeout(120_000);
  const fiveDaysAgo = Date.now() - 5 * 86_400_000;
  await page.clock.install({ time: fiveDaysAgo });
  const day = (ms: number) => new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date(ms));
  await logIn(page, server, "officer", "Chunfeng-2026");
  expect(await page.evaluate(() => Date.now())).toBeLessThan(Date.now() - 4 * 86_400_000);
  // The first round reaches the server and learns its clock.
  await expect(page.getByTestId("last-sync")).toContainText("上次同步", { timeout: 20_000 });
  await writeItem(page, "时钟慢了五天的电脑写的稿件", "12月1日，兰州湾镇完成冬季征兵体检。", false);
  await expect(row(page, "时钟慢了五天的电脑写的稿件")).toContainText(`修改于 ${day(Date.now())}`);
  expect(day(fiveDaysAgo)).not.toBe(day(Date.now()));
  // After a restart, before any sync, the learned clock still holds.
  await page.reload();
  await expect(row(page, "时钟慢了五天的电脑写的稿件")).toContainText(`修改于 ${day(Date.now())}`);
});
