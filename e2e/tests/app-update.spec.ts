// A new version of the app is offered, never forced: it waits while text is unsaved, and
// takes over only when the person presses 更新.
import { test, expect, logIn, XinbaoServer, builtDist } from "./fixtures";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

test("a new version waits for 更新, which waits for unsaved text", async ({ page }) => {
  const root = mkdtempSync(join(tmpdir(), "xinbao-update-"));
  const dist = join(root, "dist");
  cpSync(builtDist, dist, { recursive: true });
  const server = new XinbaoServer(join(root, "data"), dist);
  server.addUser("officer", "Chunfeng-2026", "officer", "兰州湾镇", "李建军");
  await server.start();
  try {
    await logIn(page, server, "officer", "Chunfeng-2026");
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.getByTestId("new-draft").click();
    await page.getByTestId("title").fill("升级时正在写的稿件");
    await expect(page.getByTestId("save-state")).toContainText("已保存");
    await expect(page.getByTestId("update-banner")).toHaveCount(0);

    // Deploy a new version: the service worker script changes.
    const sw = join(dist, "sw.js");
    writeFileSync(sw, readFileSync(sw, "utf8").replace(/const VERSION = "[0-9a-f]+"/, 'const VERSION = "0000000000000002"'));
    rmSync(`${sw}.br`, { force: true });
    rmSync(`${sw}.gz`, { force: true });
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
    await expect(page.getByTestId("update-banner")).toContainText("信报有新版本");

    // While text is unsaved the update cannot be taken; the page did not reload by itself.
    await page.getByTestId("body").pressSequentially("还在输入", { delay: 30 });
    await expect(page.getByTestId("update-banner").getByRole("button")).toBeDisabled();
    await expect(page.getByTestId("save-state")).toContainText("已保存");
    await expect(page.getByTestId("update-banner").getByRole("button", { name: "更新" })).toBeEnabled();

    // Listening before the click: the reload can finish while the click is still returning.
    const reloaded = page.waitForEvent("load");
    await page.getByTestId("update-banner").getByRole("button", { name: "更新" }).click();
    await reloaded;
    await expect
      .poll(() => page.evaluate(() => caches.keys()))
      .toEqual(["xinbao-shell-0000000000000002"]);
    await expect(page.getByTestId("body")).toHaveValue("还在输入");
    await expect(page.getByTestId("update-banner")).toHaveCount(0);
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test("a new version taken in one tab reaches every tab: the other saves what it has and reloads", async ({ context }) => {
  const root = mkdtempSync(join(tmpdir(), "xinbao-update-"));
  const dist = join(root, "dist");
  cpSync(builtDist, dist, { recursive: true });
  const server = new XinbaoServer(join(root, "data"), dist);
  server.addUser("officer", "Chunfeng-2026", "officer", "兰州湾镇", "李建军");
  await server.start();
  try {
    const a = await context.newPage();
    await logIn(a, server, "officer", "Chunfeng-2026");
    await a.waitForFunction(() => navigator.serviceWorker.controller !== null);
    // A second tab, typing in a draft of its own.
    const b = await context.newPage();
    await b.goto(server.url);
    await expect(b.getByRole("heading", { name: "我的稿件" })).toBeVisible({ timeout: 15_000 });
    await b.getByTestId("new-draft").click();
    await b.getByTestId("title").fill("另一个窗口里正在写的稿件");
    await b.getByTestId("body").fill("更新前写的一段");
    await b.evaluate(() => ((window as any).__before_update = true));

    const sw = join(dist, "sw.js");
    writeFileSync(sw, readFileSync(sw, "utf8").replace(/const VERSION = "[0-9a-f]+"/, 'const VERSION = "0000000000000003"'));
    rmSync(`${sw}.br`, { force: true });
    rmSync(`${sw}.gz`, { force: true });
    await a.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
    await expect(a.getByTestId("update-banner")).toContainText("信报有新版本");
    await a.getByTestId("update-banner").getByRole("button", { name: "更新" }).click();

    // The other tab is taken over: it reloads by itself (its old page is gone) with its text kept.
    await expect.poll(() => b.evaluate(() => (window as any).__before_update === true).catch(() => true), { timeout: 20_000 }).toBe(false);
    await expect(b.getByTestId("body")).toHaveValue("更新前写的一段", { timeout: 20_000 });
    await expect(b.getByTestId("title")).toHaveValue("另一个窗口里正在写的稿件");
    await expect.poll(() => b.evaluate(() => caches.keys())).toEqual(["xinbao-shell-0000000000000003"]);
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test("a new version takes over at once while the tabs keep talking to the server", async ({ context }) => {
  // Chrome asks the old worker to stop once when 更新 is pressed; a request that reaches the
  // old worker in that moment starts it again, and the switch then waits until it has been
  // idle for half a minute (or five minutes). The app's own traffic (sync, the inbox, the
  // scores) must not reach the worker at all.
  const root = mkdtempSync(join(tmpdir(), "xinbao-update-"));
  const dist = join(root, "dist");
  cpSync(builtDist, dist, { recursive: true });
  const server = new XinbaoServer(join(root, "data"), dist);
  server.addUser("officer", "Chunfeng-2026", "officer", "兰州湾镇", "李建军");
  await server.start();
  try {
    const a = await context.newPage();
    await logIn(a, server, "officer", "Chunfeng-2026");
    await a.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const b = await context.newPage();
    await b.goto(server.url);
    await expect(b.getByRole("heading", { name: "我的稿件" })).toBeVisible({ timeout: 15_000 });
    await b.waitForFunction(() => navigator.serviceWorker.controller !== null);

    const sw = join(dist, "sw.js");
    writeFileSync(sw, readFileSync(sw, "utf8").replace(/const VERSION = "[0-9a-f]+"/, 'const VERSION = "0000000000000004"'));
    rmSync(`${sw}.br`, { force: true });
    rmSync(`${sw}.gz`, { force: true });
    await a.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
    await expect(a.getByTestId("update-banner")).toContainText("信报有新版本");

    // Both tabs ask the server something every few milliseconds, as a busy office's would.
    for (const p of [a, b]) {
      await p.evaluate(() => {
        (window as any).__before_update = true;
        setInterval(() => fetch("/api/settings").catch(() => {}), 15);
        setInterval(() => fetch("/healthz").catch(() => {}), 15);
      });
    }
    await a.getByTestId("update-banner").getByRole("button", { name: "更新" }).click();

    // Both reload onto the new version within seconds, not minutes.
    for (const p of [a, b]) {
      await expect.poll(() => p.evaluate(() => (window as any).__before_update === true).catch(() => true), { timeout: 10_000 }).toBe(false);
      await expect.poll(() => p.evaluate(() => caches.keys())).toEqual(["xinbao-shell-0000000000000004"]);
      await expect(p.getByTestId("update-banner")).toHaveCount(0);
    }
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
