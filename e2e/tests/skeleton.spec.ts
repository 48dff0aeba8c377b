// The walking skeleton: an officer logs in, writes a Chinese draft, reloads and finds it, logs
// out — against the real server and the release build in Chromium.
import { test, expect, logIn } from "./fixtures";

test("the login page is Chinese first and served for deep links", async ({ page, server }) => {
  await page.goto(`${server.url}/drafts/some-deep-link`);
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "信报" })).toBeVisible();
  await expect(page.getByRole("button", { name: "登录" })).toBeVisible();
  expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
});

test("a wrong password and an unknown user get the same Chinese message", async ({ page, server }) => {
  await page.goto(`${server.url}/login`);
  await page.getByLabel("用户名").fill("officer");
  await page.getByLabel("密码", { exact: true }).fill("wrong-password");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByTestId("login-error")).toHaveText("用户名或密码错误");

  await page.getByLabel("用户名").fill("nobody-here");
  await page.getByLabel("密码", { exact: true }).fill("Chunfeng-2026");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByTestId("login-error")).toHaveText("用户名或密码错误");

  await page.getByLabel("用户名").fill("");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByTestId("login-error")).toHaveText("请输入用户名和密码");
});

test("an officer's draft survives a reload and logging out ends the session", async ({ page, server }) => {
  // No sync in this test: the draft stays only on this device, and logging out says so.
  await page.route("**/api/sync/**", (route) => route.abort());
  await logIn(page, server, "officer", "Chunfeng-2026");
  await expect(page.getByText("李建军 · 兰州湾镇 · 信息员")).toBeVisible();

  await page.getByTestId("new-draft").click();
  await expect(page).toHaveURL(/\/drafts\/[0-9a-f]{32}$/);
  const title = "兰州湾镇遭受冰雹灾害";
  const body = "6月3日下午，兰州湾镇遭受冰雹袭击，受灾农田1.2万亩。\n\n镇党委组织干部连夜核灾。";
  await page.getByTestId("title").fill(title);
  await page.getByTestId("body").fill(body);
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  await expect(page.getByTestId("char-count")).toHaveText("字数 38");

  await page.reload();
  await expect(page.getByTestId("title")).toHaveValue(title);
  await expect(page.getByTestId("body")).toHaveValue(body);

  await page.getByRole("link", { name: "返回稿件列表" }).click();
  await expect(page.getByTestId("draft-list")).toContainText(title);

  await page.getByTestId("logout").click();
  await expect(page.getByTestId("logout-confirm")).toContainText("本机还有 1 篇稿件的修改尚未发送到服务器");
  await page.getByRole("button", { name: "仍然退出" }).click();
  await expect(page).toHaveURL(/\/login$/);
  const me = await page.request.get(`${server.url}/api/me`);
  expect(me.status()).toBe(401);
});

test("another account on the same browser does not see the first one's drafts", async ({ page, server }) => {
  // Kept unsent (no sync), so logging out asks first.
  await page.route("**/api/sync/**", (route) => route.abort());
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("只属于李建军的稿件");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  await page.getByRole("link", { name: "返回稿件列表" }).click();
  await page.getByTestId("logout").click();
  await page.getByRole("button", { name: "仍然退出" }).click();

  await logIn(page, server, "officer2", "Dafeng-2026");
  await expect(page.getByText("还没有稿件")).toBeVisible();
  await expect(page.getByText("只属于李建军的稿件")).toHaveCount(0);
});

test("the language switch goes to English and is remembered", async ({ page, server }) => {
  await page.goto(`${server.url}/login`);
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
  expect(await page.getAttribute("html", "lang")).toBe("en");
  await page.getByRole("button", { name: "中文" }).click();
  await expect(page.getByRole("button", { name: "登录" })).toBeVisible();
});

test("a one-time password must be replaced before anything else", async ({ page, server }) => {
  server.addUser("newadmin", "Once-only-77", "admin", undefined, "新管理员", true);
  await page.goto(`${server.url}/login`);
  await page.getByLabel("用户名").fill("newadmin");
  await page.getByLabel("密码", { exact: true }).fill("Once-only-77");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("heading", { name: "修改密码" })).toBeVisible();

  await page.getByLabel("当前密码").fill("Once-only-77");
  await page.getByLabel("新密码", { exact: true }).fill("short");
  await page.getByLabel("再次输入新密码").fill("short");
  await page.getByRole("button", { name: "保存新密码" }).click();
  await expect(page.getByTestId("password-error")).toHaveText("密码至少需要10个字符");

  await page.getByLabel("新密码", { exact: true }).fill("Lin-shuang-2026");
  await page.getByLabel("再次输入新密码").fill("Lin-shuang-2026");
  await page.getByRole("button", { name: "保存新密码" }).click();
  await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible();
});

test("the app is installable: a manifest whose icons are served", async ({ page, server }) => {
  const manifest = await (await page.request.get(`${server.url}/manifest.webmanifest`)).json();
  expect(manifest.start_url).toBe("/");
  expect(manifest.display).toBe("standalone");
  const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
  expect(sizes).toEqual(expect.arrayContaining(["192x192", "512x512"]));
  for (const icon of manifest.icons) {
    const res = await page.request.get(`${server.url}${icon.src}`);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toContain(icon.type);
  }
});

test("the app runs under the strict Content-Security-Policy with no violation", async ({ page, server }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  const res = await page.goto(`${server.url}/login`);
  expect(res?.headers()["content-security-policy"]).toContain("script-src 'self' 'wasm-unsafe-eval'");
  // No inline script is left in the page the server sends.
  expect(await res?.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("在严格的内容安全策略下");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  expect(violations).toEqual([]);
});
