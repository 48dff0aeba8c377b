// First load on a rural line (issue 9), measured in headless Chromium with the network
// throttled through the DevTools protocol: 400 kbit/s down, 200 kbit/s up, 400 ms round trip.
// From navigation to an interactive login page (the app has started and drawn the login
// button): cold (empty cache, no service worker) for `/`, a deep link and `/login`, and warm
// (the service worker installed after a login), with the bytes that crossed the network. Prints
// `BENCH first_load_cold_{root,deep_link,login} …` and `BENCH first_load_warm …`.
import { test } from "../tests/fixtures";
import type { CDPSession, Page } from "@playwright/test";

const DOWN = 400_000 / 8; // bytes per second
const UP = 200_000 / 8;
const RTT_MS = 400;

async function throttle(page: Page): Promise<{ cdp: CDPSession; bytes: () => number; requests: () => number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: RTT_MS, downloadThroughput: DOWN, uploadThroughput: UP });
  // Only what crossed the network: not what the service worker or the cache answered.
  const local = new Set<string>();
  let bytes = 0;
  let requests = 0;
  cdp.on("Network.responseReceived", (e) => {
    const r = e.response;
    if (r.fromServiceWorker || r.fromDiskCache || r.fromPrefetchCache) local.add(e.requestId);
  });
  cdp.on("Network.loadingFinished", (e) => {
    if (!local.has(e.requestId)) {
      bytes += e.encodedDataLength;
      requests += 1;
    }
  });
  return { cdp, bytes: () => bytes, requests: () => requests };
}

/** Navigation start to the login button drawn by the app, on the page's own clock. */
async function loadLogin(page: Page, url: string, path = "/login"): Promise<number> {
  await page.goto(`${url}${path}`, { waitUntil: "commit", timeout: 120_000 });
  await page.getByRole("button", { name: "登录" }).waitFor({ timeout: 120_000 });
  return page.evaluate(() => performance.now());
}

// What the line itself needs: the bytes at 400 kbit/s, plus the round trips no client can
// avoid: the connection, the page, its scripts and styles (fetched together), the session check
// — 4 round trips cold. Warm, the page and the shell come from the service worker; each request
// that still crosses the line is counted as a round trip of its own.
const ideal = (bytes: number, trips: number) => (bytes / DOWN) * 1000 + trips * RTT_MS;

test("first load on a 400 kbit/s line", async ({ browser, server }) => {
  test.setTimeout(600_000);
  // Cold, each in a fresh browser profile: `/` (what people bookmark), a deep link, `/login`.
  // Without a session each shows the login with the shell alone (issue 20).
  for (const [name, path] of [["root", "/"], ["deep_link", "/review/00000000000000000000000000000001"], ["login", "/login"]]) {
    const context = await browser.newContext({ locale: "zh-CN" });
    const page = await context.newPage();
    const net = await throttle(page);
    const ms = await loadLogin(page, server.url, path);
    const bytes = net.bytes();
    const limit = ideal(bytes, 4);
    console.log(
      `BENCH first_load_cold_${name} ms=${ms.toFixed(0)} bytes=${bytes} requests=${net.requests()} ideal_ms=${limit.toFixed(0)} ratio=${(ms / limit).toFixed(2)}`,
    );
    if (name !== "login") {
      await context.close();
      continue;
    }
    // Warm: the officer logs in (the service worker is registered then and precaches the app),
    // leaves, and opens the app again.
    await page.getByLabel("用户名").fill("officer");
    await page.getByLabel("密码", { exact: true }).fill("Chunfeng-2026");
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByRole("heading", { name: "我的稿件" }).waitFor({ timeout: 300_000 });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 300_000 });
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForTimeout(2000);
    await page.evaluate(() => localStorage.removeItem("xinbao.session"));
    await context.clearCookies();
    const before = net.bytes();
    const beforeRequests = net.requests();
    const warm = await loadLogin(page, server.url, "/");
    const warmBytes = net.bytes() - before;
    const warmRequests = net.requests() - beforeRequests;
    const warmIdeal = ideal(warmBytes, warmRequests);
    console.log(
      `BENCH first_load_warm ms=${warm.toFixed(0)} bytes=${warmBytes} requests=${warmRequests} ideal_ms=${warmIdeal.toFixed(0)} ratio=${(warm / warmIdeal).toFixed(2)}`,
    );
    await net.cdp.detach();
    await context.close();
  }
});
