// A new editor PC on a county's year (issue 23): an office seeded with 12,000 items, a fresh
// browser profile that has pulled nothing. From the login button pressed to the review desk's
// first page of 50 rows drawn, with the bytes that crossed the network in between (the app
// shell, already loaded for the login page, not counted; the desk's module, the session, the
// start of the office's pull and the queue page are). Prints `BENCH editor_first_queue_page …`
// for three fresh profiles.
import { test } from "../tests/fixtures";

test("a new editor PC's first queue page on a county's year", async ({ browser, server }) => {
  test.setTimeout(300_000);
  await server.stop();
  server.seed("year", 2026);
  await server.start();
  const times: number[] = [];
  const sizes: number[] = [];
  for (let run = 0; run < 3; run++) {
    const context = await browser.newContext({ locale: "zh-CN" });
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByRole("button", { name: "登录" }).waitFor();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    let bytes = 0;
    const urls = new Map<string, string>();
    cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
    cdp.on("Network.loadingFinished", (e) => {
      bytes += e.encodedDataLength;
      if (process.env.XINBAO_BENCH_DETAIL) console.log(`  ${e.encodedDataLength} ${urls.get(e.requestId)}`);
    });
    await page.getByLabel("用户名").fill("seed6-editor");
    await page.getByLabel("密码", { exact: true }).fill("Xinbao-seed-2026");
    const t0 = Date.now();
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByTestId("review-link").click();
    await page.getByTestId("review-item").nth(49).waitFor({ timeout: 60_000 });
    times.push(Date.now() - t0);
    sizes.push(bytes);
    await context.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`BENCH editor_first_queue_page runs=3 ms=${sorted[1]} max_ms=${sorted[2]} bytes=${Math.max(...sizes)}`);
});
