// Shared township PCs: unsent drafts stay with their account, and an account that logged in
// online before can open its drafts offline with its password — the password itself is never
// stored.
import { test, expect, logIn } from "./fixtures";

test("an account opens its drafts offline with its password; wrong passwords and strangers are refused", async ({ page, server }) => {
  // The draft stays unsent (the sync engine would back it up within seconds and the logout
  // would no longer need to ask).
  await page.route("**/api/sync/**", (route) => route.abort());
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("离线时也能打开的稿件");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  await page.getByRole("link", { name: "返回稿件列表" }).click();
  await page.getByTestId("logout").click();
  await page.getByRole("button", { name: "取消" }).click();
  await expect(page.getByTestId("logout-confirm")).toHaveCount(0);
  await page.getByTestId("logout").click();
  await page.getByRole("button", { name: "仍然退出" }).click();
  await expect(page).toHaveURL(/\/login$/);

  // Nothing on this device holds the password in clear.
  const stored = await page.evaluate(() => JSON.stringify(Object.assign({}, localStorage)));
  expect(stored).not.toContain("Chunfeng-2026");

  await server.stop();
  try {
    await page.reload();
    const login = async (u: string, p: string) => {
      await page.getByLabel("用户名").fill(u);
      await page.getByLabel("密码", { exact: true }).fill(p);
      await page.getByRole("button", { name: "登录" }).click();
    };
    await login("officer", "wrong-password-1");
    await expect(page.getByTestId("login-error")).toHaveText("无法连接服务器，离线验证密码不正确");
    await login("officer2", "Dafeng-2026");
    await expect(page.getByTestId("login-error")).toContainText("此账号尚未在本机联网登录过");
    await login("officer", "Chunfeng-2026");
    await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible();
    await expect(page.getByTestId("draft-list")).toContainText("离线时也能打开的稿件");
  } finally {
    await server.start();
  }
});
