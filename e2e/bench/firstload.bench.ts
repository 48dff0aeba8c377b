// First load on a rural line (issue 9), measured in headless Chromium with the network
// throttled through the DevTools protocol: 400 kbit/s down, 200 kbit/s up, 400 ms round trip.
// From navigation to an interactive login page (the app has started and drawn the login
// button), cold (empty cache, no service worker) and warm (the service worker installed), and
// the bytes that crossed the network. Prints `BENCH first_load_{cold,warm} …`.
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
async function loadLogin(page: Page, url: string): Promise<number> {
  await page.goto(`${url}/login`, { waitUntil: "commit", timeout: 120_000 });
  await page.getByRole("button", { name: "登录" }).waitFor({ timeout: 120_000 });
  return page.evaluate(() => performance.now());
}

test("first load on a 400 kbit/s line", async ({ page, server }) => {
  test.setTimeout(600_000);
  const net = await throttle(page);
  const cold = await loadLogin(page, server.url);
  const coldBytes = net.bytes();
  const coldRequests = net.requests();
  // The service worker precaches the shell (its own fetches, after the load measured above)
  // and takes control; then the same officer opens the app again.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 300_000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForTimeout(2000);
  const before = net.bytes();
  const beforeRequests = net.requests();
  const warm = await loadLogin(page, server.url);
  const warmBytes = net.bytes() - before;
  const warmRequests = net.requests() - beforeRequests;
  // What the line itself needs: the bytes at 400 kbit/s, plus the round trips no client can
  // avoid: the connection, the page, its scripts and styles (fetched together), the session
  // check — 4 round trips cold. Warm, the page and the shell come from the service worker; each
  // request that still crosses the line is counted as a round trip of its own.
  const ideal = (bytes: number, trips: number) => (bytes / DOWN) * 1000 + trips * RTT_MS;
  const coldIdeal = ideal(coldBytes, 4);
  const warmIdeal = ideal(warmBytes, warmRequests);
  console.log(
    `BENCH first_load_cold ms=${cold.toFixed(0)} bytes=${coldBytes} requests=${coldRequests} ideal_ms=${coldIdeal.toFixed(0)} ratio=${(cold / coldIdeal).toFixed(2)}`,
  );
  console.log(
    `BENCH first_load_warm ms=${warm.toFixed(0)} bytes=${warmBytes} requests=${warmRequests} ideal_ms=${warmIdeal.toFixed(0)} ratio=${(warm / warmIdeal).toFixed(2)}`,
  );
  await net.cdp.detach();
});
