// A demo that shows the product (issue 20): `serve --demo` prints an account for every role;
// each of them logs in and finds content on every page its role has — the officers their items,
// the editor and the signer a review queue, everyone scores, a notice, a published issue of the
// periodical and commissions, the administrator the county's units and accounts.
import { test, expect, XinbaoServer } from "./fixtures";
import type { Page } from "@playwright/test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Account = { username: string; password: string; role: string };

/** The accounts the server printed: the demo's list, and the first-start administrator. */
function accountsIn(output: string): Account[] {
  const out: Account[] = [];
  const list = output.split("演示数据已载入")[1] ?? "";
  for (const line of list.split("\n")) {
    const m = line.match(/^ {4}(\S+)\s+(\S+)\s+(信息员|编辑|签发人|阅读人|管理员)\s+\S/);
    if (m) out.push({ username: m[1], password: m[2], role: m[3] });
  }
  const admin = output.match(/一次性密码 one-time password: (\S+)/);
  if (admin) out.push({ username: "admin", password: admin[1], role: "管理员" });
  return out;
}

/** Opens `path` through the header's link and waits for `testid` to show content. */
async function findsContent(page: Page, link: string, testid: string, what: string) {
  await page.getByTestId(link).click();
  await expect(page.getByTestId(testid).first(), what).toBeVisible({ timeout: 20_000 });
  expect(await page.getByTestId(testid).count(), what).toBeGreaterThan(0);
}

test("every demo account logs in and finds content on every page its role has", async ({ browser }) => {
  test.setTimeout(420_000);
  // A fresh data directory, as `cargo xtask serve --demo` starts: the demo's accounts only.
  const dir = mkdtempSync(join(tmpdir(), "xinbao-demo-"));
  const server = new XinbaoServer(dir);
  server.extraArgs = ["--demo"];
  await server.start();
  try {
  const accounts = accountsIn(server.output);
  const roles = new Set(accounts.map((a) => a.role));
  expect([...roles].sort(), server.output).toEqual(["信息员", "管理员", "签发人", "编辑", "阅读人"].sort());
  expect(accounts.filter((a) => a.role === "信息员").length).toBeGreaterThanOrEqual(10);

  for (const a of accounts) {
    const context = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai", serviceWorkers: "block" });
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel("用户名").fill(a.username);
    await page.getByLabel("密码", { exact: true }).fill(a.password);
    await page.getByRole("button", { name: "登录" }).click();
    if (a.username === "admin") {
      // The first-start password is one-time: changed before anything else.
      await page.getByLabel("当前密码").fill(a.password);
      await page.getByLabel("新密码", { exact: true }).fill("Lin-shuang-2026");
      await page.getByLabel("再次输入新密码").fill("Lin-shuang-2026");
      await page.getByRole("button", { name: "保存新密码" }).click();
    }
    await expect(page.getByTestId("logout")).toBeVisible({ timeout: 20_000 });
    await expect(page.getByRole("heading", { name: "修改密码" })).toHaveCount(0, { timeout: 20_000 });
    const who = `${a.username} (${a.role})`;
    if (a.role === "信息员") {
      // Their own items, as they stand in the office's hands.
      await expect(page.getByTestId("draft-list").locator("li").first(), `${who}: 我的稿件`).toBeVisible({ timeout: 20_000 });
      await expect(page.getByTestId("item-status").first()).not.toHaveText("草稿");
    }
    if (a.role === "编辑" || a.role === "签发人") {
      await findsContent(page, "review-link", "review-item", `${who}: 审核台`);
    }
    if (a.role === "管理员") {
      await findsContent(page, "admin-link", "unit", `${who}: 单位`);
      expect(await page.getByTestId("account").count()).toBeGreaterThanOrEqual(15);
    }
    await findsContent(page, "scores-nav", "score-row", `${who}: 积分排名`);
    const points = await page.getByTestId("score-points").allTextContents();
    expect(points.some((p) => parseFloat(p) > 0), `${who}: points on the scoreboard: ${points}`).toBe(true);
    await findsContent(page, "notice-nav", "notice-row", `${who}: 通报`);
    await findsContent(page, "periodical-nav", "issue-row", `${who}: 刊物`);
    await findsContent(page, "commissions-nav", "commission", `${who}: 约稿`);
    await context.close();
  }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
