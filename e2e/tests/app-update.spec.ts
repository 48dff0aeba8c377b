// A new version of the app is offered, never forced: it waits while text is unsaved, and
// takes over only when the person presses 更新.
import { test, expect, logIn, XinbaoServer, builtDist } from "./fixtures";
import type { BrowserContext, Page } from "@playwright/test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Runs `body` against a server of its own over a copy of the built app, which the test
 * changes as a deploy would. */
async function withOwnBuild(body: (server: XinbaoServer, dist: string) => Promise<void>) {
  const root = mkdtempSync(join(tmpdir(), "xinbao-update-"));
  const dist = join(root, "dist");
  cpSync(builtDist, dist, { recursive: true });
  const server = new XinbaoServer(join(root, "data"), dist);
  server.addUser("officer", "Chunfeng-2026", "officer", "兰州湾镇", "李建军");
  await server.start();
  try {
    await body(server, dist);
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Deploys a new version (the service worker script changes) and has `page` look for it. */
async function deploy(dist: string, version: string, page: Page) {
  const sw = join(dist, "sw.js");
  writeFileSync(sw, readFileSync(sw, "utf8").replace(/const VERSION = "[0-9a-f]+"/, `const VERSION = "${version}"`));
  rmSync(`${sw}.br`, { force: true });
  rmSync(`${sw}.gz`, { force: true });
  await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
  await expect(page.getByTestId("update-banner")).toContainText("信报有新版本");
}

/** The officer logged in in one tab, and a second tab of the same browser on the desk. */
async function twoTabs(context: BrowserContext, server: XinbaoServer): Promise<[Page, Page]> {
  const a = await context.newPage();
  await logIn(a, server, "officer", "Chunfeng-2026");
  await a.waitForFunction(() => navigator.serviceWorker.controller !== null);
  const b = await context.newPage();
  await b.goto(server.url);
  await expect(b.getByRole("heading", { name: "我的稿件" })).toBeVisible({ timeout: 15_000 });
  return [a, b];
}

/** Both tabs controlled by the worker, a new version deployed, and from then on both tabs
 * asking for `url` three times every 10 ms, as a busy office's would. */
async function busyTabsWithNewVersion(context: BrowserContext, server: XinbaoServer, dist: string, version: string, url: string): Promise<[Page, Page]> {
  const [a, b] = await twoTabs(context, server);
  await b.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await deploy(dist, version, a);
  for (const p of [a, b]) {
    await p.evaluate((url) => {
      (window as any).__before_update = true;
      for (let i = 0; i < 3; i++) setInterval(() => fetch(url).catch(() => {}), 10);
    }, url);
  }
  return [a, b];
}

/** Waits until `page` has reloaded since `__before_update` was set on it. */
async function reloaded(page: Page, timeout: number) {
  await expect.poll(() => page.evaluate(() => (window as any).__before_update === true).catch(() => true), { timeout }).toBe(false);
}

test("a new version waits for 更新, which waits for unsaved text", async ({ page }) => {
  await withOwnBuild(async (server, dist) => {
    await logIn(page, server, "officer", "Chunfeng-2026");
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.getByTestId("new-draft").click();
    await page.getByTestId("title").fill("升级时正在写的稿件");
    await expect(page.getByTestId("save-state")).toContainText("已保存");
    await expect(page.getByTestId("update-banner")).toHaveCount(0);

    await deploy(dist, "0000000000000002", page);

    // While text is unsaved the update cannot be taken; the page did not reload by itself.
    await page.getByTestId("body").pressSequentially("还在输入", { delay: 30 });
    await expect(page.getByTestId("update-banner").getByRole("button")).toBeDisabled();
    await expect(page.getByTestId("save-state")).toContainText("已保存");
    await expect(page.getByTestId("update-banner").getByRole("button", { name: "更新" })).toBeEnabled();

    // Listening before the click: the reload can finish while the click is still returning.
    const load = page.waitForEvent("load");
    await page.getByTestId("update-banner").getByRole("button", { name: "更新" }).click();
    await load;
    await expect
      .poll(() => page.evaluate(() => caches.keys()))
      .toEqual(["xinbao-shell-0000000000000002"]);
    await expect(page.getByTestId("body")).toHaveValue("还在输入");
    await expect(page.getByTestId("update-banner")).toHaveCount(0);
  });
});

test("a new version taken in one tab reaches every tab: the other saves what it has and reloads", async ({ context }) => {
  await withOwnBuild(async (server, dist) => {
    const [a, b] = await twoTabs(context, server);
    // The second tab is typing in a draft of its own.
    await b.getByTestId("new-draft").click();
    await b.getByTestId("title").fill("另一个窗口里正在写的稿件");
    await b.getByTestId("body").fill("更新前写的一段");
    await b.evaluate(() => ((window as any).__before_update = true));

    await deploy(dist, "0000000000000003", a);
    await a.getByTestId("update-banner").getByRole("button", { name: "更新" }).click();

    // The other tab is taken over: it reloads by itself (its old page is gone) with its text kept.
    await reloaded(b, 20_000);
    await expect(b.getByTestId("body")).toHaveValue("更新前写的一段", { timeout: 20_000 });
    await expect(b.getByTestId("title")).toHaveValue("另一个窗口里正在写的稿件");
    await expect.poll(() => b.evaluate(() => caches.keys())).toEqual(["xinbao-shell-0000000000000003"]);
  });
});

test("a new version takes over at once while the tabs keep talking to the server", async ({ context }) => {
  // Chrome asks the old worker to stop once when 更新 is pressed; a request that reaches the
  // old worker in that moment starts it again, and the switch then waits until it has been
  // idle for half a minute (five minutes at most). The app's API traffic (sync, the inbox,
  // the scores) must not reach the worker at all.
  await withOwnBuild(async (server, dist) => {
    // Without the routes an API request reaches the old worker in the moment it is asked to stop.
    const [a, b] = await busyTabsWithNewVersion(context, server, dist, "0000000000000004", "/api/settings");
    await a.getByTestId("update-banner").getByRole("button", { name: "更新" }).click();

    // Both reload onto the new version within seconds, not minutes.
    for (const p of [a, b]) {
      await reloaded(p, 10_000);
      await expect.poll(() => p.evaluate(() => caches.keys())).toEqual(["xinbao-shell-0000000000000004"]);
      await expect(p.getByTestId("update-banner")).toHaveCount(0);
    }
  });
});

test("while the old version is held up, 更新 says it is switching instead of doing nothing", async ({ context }) => {
  // Browsers before Chrome 123 (older 360/QQ/Sogou kernels) send API requests through the
  // worker, so the switch can wait up to half a minute or more. Requests for the app's own files
  // do the same on any Chrome; they stand in for that here.
  await withOwnBuild(async (server, dist) => {
    const [a] = await busyTabsWithNewVersion(context, server, dist, "0000000000000005", "/icon.svg");
    const button = a.getByTestId("update-banner").getByRole("button");
    await button.click();
    // Never the banner as it was: either the switch happened, or the button says it is under way
    // and cannot be pressed again.
    const shown = () =>
      a.evaluate(() => ((window as any).__before_update === true ? document.querySelector('[data-testid="update-banner"] button')?.textContent ?? "" : "reloaded")).catch(() => "reloaded");
    await expect.poll(shown).toMatch(/^(正在切换到新版本…|reloaded)$/);
    if ((await shown()) !== "reloaded") await expect(button).toBeDisabled();
  });
});
