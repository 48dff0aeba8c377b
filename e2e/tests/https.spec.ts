// HTTPS on an intranet name (issue 20): the office CA that `xinbao-server tls-init` makes,
// installed into a PC's browser profile the way an office PC trusts it (an NSS database, as
// Chromium on Linux, 统信 UOS and 麒麟 read it), opens the app over https on a host name that is
// not localhost; the service worker installs; with the network off, a reload opens the app.
// Plain http on that name is sent to https; the certificate page is reachable over plain http.
// The host name is mapped to 127.0.0.1 by Chromium itself: all traffic stays on loopback.
import { test, expect, serverBinary } from "./fixtures";
import { chromium } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = (process.env.XINBAO_CHROMIUM_ARGS ??
  "--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking --disable-component-update --disable-sync --no-first-run").split(" ");

function run(program: string, argv: string[]): string {
  const r = spawnSync(program, argv, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${program} ${argv.join(" ")} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

test("a PC that installed the office CA opens the app over https on the intranet name, and offline after a reload", async ({ server }) => {
  test.setTimeout(180_000);
  const tls = join(server.dataDir, "tls");
  const made = run(serverBinary, ["tls-init", "--dir", tls, "--host", "xinbao.intranet", "--ip", "127.0.0.1", "--office", "林双县人民政府办公室"]);
  const fingerprint = made.match(/CA SHA-256\s+([0-9A-F:]+)/)?.[1];
  expect(fingerprint, made).toBeTruthy();
  const plain = () => `http://xinbao.intranet:${server.port}`;
  const origin = () => `https://xinbao.intranet:${server.port}`;

  // The PC: its own HOME with an NSS database that trusts the office CA, and a browser profile.
  const home = mkdtempSync(join(tmpdir(), "xinbao-pc-"));
  const nss = join(home, ".pki", "nssdb");
  mkdirSync(nss, { recursive: true });
  run("certutil", ["-d", `sql:${nss}`, "-N", "--empty-password"]);
  run("certutil", ["-d", `sql:${nss}`, "-A", "-t", "C,,", "-n", "xinbao-office-ca", "-i", join(tls, "office-ca.crt")]);
  const context = await chromium.launchPersistentContext(join(home, "profile"), {
    executablePath: process.env.XINBAO_CHROMIUM ?? "/usr/bin/chromium",
    args: [...args, "--host-resolver-rules=MAP xinbao.intranet 127.0.0.1"],
    env: { ...process.env, HOME: home },
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    // Before TLS: the office used the plain http address, and a draft was written there that
    // has not reached the server (the line was down).
    await page.goto(`${plain()}/login`);
    await page.getByLabel("用户名").fill("officer");
    await page.getByLabel("密码", { exact: true }).fill("Chunfeng-2026");
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible({ timeout: 30_000 });
    await page.route("**/api/sync/**", (route) => route.abort());
    await page.getByTestId("new-draft").click();
    await page.getByTestId("title").fill("兰州湾镇冬季供暖全面启动");
    await page.getByTestId("body").fill("11月15日，兰州湾镇12个村的集中供暖全部按时启动，覆盖群众3200余户。");
    await expect(page.getByTestId("save-state")).toContainText("已保存");

    // The administrator turns TLS on.
    await server.stop();
    server.extraArgs = ["--tls-cert", join(tls, "server.crt"), "--tls-key", join(tls, "server.key")];
    await server.start();
    await page.unroute("**/api/sync/**");
    // This browser keeps an unsent draft at the http address: it is not sent away from it. The
    // page says https is there, sends the draft, and then moves itself.
    await page.goto(`${plain()}/`);
    await expect(page.getByTestId("handoff")).toBeVisible({ timeout: 30_000 });
    await page.waitForURL(`${origin()}/**`, { timeout: 60_000 });

    // Another PC that never used the http address: the certificate page over plain http (the
    // CA, its fingerprint, the steps), then anything else is sent straight to https.
    const pc2 = await chromium.launch({
      executablePath: process.env.XINBAO_CHROMIUM ?? "/usr/bin/chromium",
      args: [...args, "--host-resolver-rules=MAP xinbao.intranet 127.0.0.1"],
      env: { ...process.env, HOME: home },
    });
    const other = await (await pc2.newContext({ locale: "zh-CN" })).newPage();
    await other.goto(`${plain()}/ca`);
    await expect(other.getByTestId("ca-fingerprint")).toHaveText(fingerprint!);
    await expect(other.getByText("受信任的根证书颁发机构")).toBeVisible();
    await expect(other.getByText("统信 UOS、银河麒麟")).toBeVisible();
    const pem = await other.evaluate(async () => (await fetch("/ca.pem")).text());
    expect(pem).toBe(readFileSync(join(tls, "office-ca.crt"), "utf8"));
    await other.context().clearCookies();
    await other.goto(`${plain()}/review`);
    await expect(other).toHaveURL(`${origin()}/login`);
    expect(await other.evaluate(() => window.isSecureContext)).toBe(true);
    await expect(other.getByTestId("offline-limits")).toHaveCount(0);
    await pc2.close();

    // At https: logged in again (a new origin keeps nothing yet), the draft is there — it
    // reached the server before the move.
    if (await page.getByLabel("用户名").isVisible().catch(() => false)) {
      await page.getByLabel("用户名").fill("officer");
    }
    const password = page.getByLabel("密码", { exact: true });
    await expect(password.or(page.getByRole("heading", { name: "我的稿件" }))).toBeVisible({ timeout: 30_000 });
    if (await password.isVisible()) {
      await password.fill("Chunfeng-2026");
      await page.getByRole("button", { name: /登录|解锁/ }).click();
    }
    await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText("兰州湾镇冬季供暖全面启动")).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("offline-limits")).toHaveCount(0);
    // The service worker installs and takes the page.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    // Another draft, then the network goes: a reload still opens the app, with the draft.
    await page.getByTestId("new-draft").click();
    await page.getByTestId("title").fill("兰州湾镇开展冬季安全大检查");
    await page.getByTestId("body").fill("11月20日起，兰州湾镇对辖区企业开展冬季安全大检查，已排查企业26家。");
    await expect(page.getByTestId("save-state")).toContainText("已保存");
    await context.setOffline(true);
    await page.reload();
    await expect(page.getByTestId("title")).toHaveValue("兰州湾镇开展冬季安全大检查", { timeout: 30_000 });
    await page.getByRole("link", { name: "返回稿件列表" }).click();
    await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible();
    await context.setOffline(false);
  } finally {
    await context.close();
    rmSync(home, { recursive: true, force: true });
  }
});
