// Browsers as county offices have them (issue 20): an intranet address over plain http, where
// the offline promise cannot hold, says so on every page; 360/QQ/Sogou are told to use their fast
// engine; a browser without WebAssembly (or too old for modules) gets a plain page that says which
// browsers work, never a spinner that turns forever.
import { test, expect, logIn } from "./fixtures";
import { chromium } from "@playwright/test";

const args = (process.env.XINBAO_CHROMIUM_ARGS ??
  "--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking --disable-component-update --disable-sync --no-first-run").split(" ");

test("on an intranet address over plain http every page says offline will not work, and what to do", async ({ server, page }) => {
  // A host name that is not localhost, resolved to loopback: the browser treats it as any
  // intranet address (not a secure context); the traffic stays on this machine.
  const browser = await chromium.launch({
    executablePath: process.env.XINBAO_CHROMIUM ?? "/usr/bin/chromium",
    args: [...args, "--host-resolver-rules=MAP xinbao.intranet 127.0.0.1"],
  });
  try {
    const intranet = await (await browser.newContext({ locale: "zh-CN" })).newPage();
    const url = `http://xinbao.intranet:${new URL(server.url).port}`;
    await intranet.goto(`${url}/login`);
    const notice = intranet.getByTestId("offline-limits");
    await expect(notice).toContainText("不是安全连接");
    await expect(notice).toContainText("https://");
    expect(await intranet.evaluate(() => window.isSecureContext)).toBe(false);
    // Logged in, on the desk too.
    await intranet.getByLabel("用户名").fill("officer");
    await intranet.getByLabel("密码", { exact: true }).fill("Chunfeng-2026");
    await intranet.getByRole("button", { name: "登录" }).click();
    await expect(intranet.getByRole("heading", { name: "我的稿件" })).toBeVisible({ timeout: 20_000 });
    await expect(intranet.getByTestId("offline-limits")).toContainText("不是安全连接");
  } finally {
    await browser.close();
  }
  // On a secure context (localhost here, https in an office) nothing is said.
  await logIn(page, server, "officer", "Chunfeng-2026");
  await expect(page.getByTestId("offline-limits")).toHaveCount(0);
});

test("360, QQ and Sogou are told to use their fast engine; an old browser gets a plain page, not a spinner", async ({ server, browser, request }) => {
  const res = await request.get(`${server.url}/login`);
  expect(res.headers()["x-ua-compatible"]).toBe("IE=edge");
  const html = await res.text();
  expect(html).toContain('<meta name="renderer" content="webkit" />');
  expect(html).toContain('<meta http-equiv="X-UA-Compatible" content="IE=edge" />');
  expect(html).toContain('<script nomodule src="/unsupported.js"></script>');

  // A browser without WebAssembly (some hardened or old builds): the plain page.
  const noWasm = await browser.newContext({ locale: "zh-CN", serviceWorkers: "block" });
  await noWasm.addInitScript(() => {
    delete (window as any).WebAssembly;
  });
  const p = await noWasm.newPage();
  await p.goto(server.url);
  await expect(p.getByTestId("unsupported")).toContainText("信报无法在这个浏览器中运行");
  await expect(p.getByTestId("unsupported")).toContainText("极速模式");
  await expect(p.getByText("正在加载")).toHaveCount(0);
  await noWasm.close();

  // A browser too old for modules (or in IE mode) runs only the `nomodule` script: the same page.
  const old = await browser.newPage();
  await old.setContent('<div id="boot" class="boot">信报 正在加载… Loading…</div>');
  await old.addScriptTag({ url: `${server.url}/unsupported.js` });
  await expect(old.getByTestId("unsupported")).toContainText("统信 UOS");
  await expect(old.getByText("正在加载")).toHaveCount(0);
  await old.close();
});

test("opening / without a session shows the login with the shell alone; the pages come after the login", async ({ server, browser }) => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  const fetched: string[] = [];
  context.on("request", (r) => fetched.push(new URL(r.url()).pathname));
  const isPage = (p: string) => /\/(split_[a-z_]+|chunk_\d+)\.wasm$/.test(p);
  // What people bookmark.
  await page.goto(`${server.url}/`);
  await expect(page.getByRole("button", { name: "登录" })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
  await page.waitForLoadState("networkidle");
  expect(fetched.filter(isPage), "no page module before the login").toEqual([]);
  // No service worker yet either: it would precache every page's module on this slow line.
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
  // A deep link the same way.
  await page.goto(`${server.url}/review`);
  await expect(page).toHaveURL(/\/login$/);
  expect(fetched.filter(isPage)).toEqual([]);
  // After the login the desk's module comes, and the worker takes the rest for offline use.
  await page.getByLabel("用户名").fill("officer");
  await page.getByLabel("密码", { exact: true }).fill("Chunfeng-2026");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible({ timeout: 20_000 });
  expect(fetched.filter(isPage).length).toBeGreaterThan(0);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 });
  await context.close();
});
