// The app shell and the pages split off it (`lazy_pages!` in src/shell/app.rs, cut by `cargo xtask
// build`): the login page needs only the shell, each group of pages arrives in its own Wasm
// module when first opened, the service worker keeps them all for offline, and a module that
// cannot be fetched is a message, not a dead app.
import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";

const isPageModule = (path: string) => /^\/app-[0-9a-f]+\/(split_|chunk_)[a-z_0-9]*\.wasm$/.test(path);

/** Every path this page requested (not the service worker's own precaching). */
function recordRequests(page: Page): string[] {
  const paths: string[] = [];
  page.on("request", (r) => paths.push(new URL(r.url()).pathname));
  return paths;
}

async function logInHere(page: Page, username: string, password: string) {
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码", { exact: true }).fill(password);
  await page.getByRole("button", { name: "登录" }).click();
}

test("the login page loads only the shell; the officer's pages come when opened, and every page is kept for offline", async ({ page, server, context }) => {
  const paths = recordRequests(page);
  await page.goto(`${server.url}/login`);
  await expect(page.getByRole("button", { name: "登录" })).toBeVisible();
  expect(paths.some((p) => /^\/app-[0-9a-f]+\/xinbao_bg\.wasm$/.test(p)), paths.join("\n")).toBe(true);
  expect(paths.filter(isPageModule)).toEqual([]);

  await logInHere(page, "officer", "Chunfeng-2026");
  await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible();
  expect(paths.some((p) => p.endsWith("/split_officer_pages.wasm")), paths.join("\n")).toBe(true);
  expect(paths.filter((p) => /split_(section|score|admin)_pages/.test(p))).toEqual([]);

  // The service worker has precached every module: with the server gone and the line down, a
  // page never opened before still opens.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await server.stop();
  await context.setOffline(true);
  await page.getByTestId("scores-nav").click();
  await expect(page.getByRole("heading", { name: "积分排名" })).toBeVisible();
  expect(paths.some((p) => p.endsWith("/split_score_pages.wasm"))).toBe(true);
  await expect(page.getByTestId("page-not-loaded")).toHaveCount(0);
});

test("a page whose module cannot be fetched says so in Chinese, the app goes on, and the next visit loads it", async ({ browser, server }) => {
  // No service worker: this is the first visit on a line that drops the module.
  const context = await browser.newContext({ locale: "zh-CN", serviceWorkers: "block" });
  const page = await context.newPage();
  const panics: string[] = [];
  page.on("console", (m) => {
    if (m.text().includes("panicked") || m.text().includes("unreachable")) panics.push(m.text());
  });
  page.on("pageerror", (e) => panics.push(String(e)));
  await context.route(/split_score_pages\.wasm$/, (route) => route.abort("internetdisconnected"));
  await page.goto(`${server.url}/login`);
  await logInHere(page, "officer", "Chunfeng-2026");
  await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible();

  await page.getByTestId("scores-nav").click();
  await expect(page.getByTestId("page-not-loaded")).toContainText("这一页还没有下载到本机，连网后才能打开");
  await expect(page.getByRole("button", { name: "重试" })).toBeVisible();

  // The app is alive: back to the desk, a draft can still be written.
  await page.getByRole("link", { name: "返回稿件列表" }).click();
  await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible();
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("线路断了也不丢字");
  await expect(page.getByTestId("save-state")).toContainText("已保存");

  // The line is back: the failed load was not remembered, so the page opens.
  await context.unroute(/split_score_pages\.wasm$/);
  await page.getByTestId("scores-nav").click();
  await expect(page.getByRole("heading", { name: "积分排名" })).toBeVisible();
  expect(panics).toEqual([]);
  await context.close();
});
