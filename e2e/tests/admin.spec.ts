// Administration in the browser: a unit and an account made by the administrator, the
// one-time password working once (and having to be changed), disabling, and the audit trail
// with its CSV export.
import { test, expect, logIn } from "./fixtures";
import { readFileSync } from "node:fs";

test("the administrator adds a township and an officer, disables the account, and reads it all in the audit trail", async ({ browser, server }) => {
  server.addUser("root", "Chunfeng-2026", "admin", undefined, "系统管理员");
  const pa = await browser.newContext({ locale: "zh-CN" });
  const admin = await pa.newPage();
  await logIn(admin, server, "root", "Chunfeng-2026");
  await admin.getByTestId("admin-link").click();
  await expect(admin.getByRole("heading", { name: "系统管理" })).toBeVisible();

  await admin.getByTestId("unit-name").fill("新河镇");
  await admin.getByTestId("unit-parent").selectOption({ label: "林双县人民政府办公室" });
  await admin.getByRole("button", { name: "新建单位" }).click();
  await expect(admin.getByTestId("admin-message")).toHaveText("已保存单位 新河镇");
  await expect(admin.getByTestId("units")).toContainText("新河镇 [township] ← 林双县人民政府办公室");

  await admin.getByTestId("new-username").fill("xinhe");
  await admin.getByTestId("new-name").fill("孙新河");
  await admin.getByTestId("new-role").selectOption("officer");
  await admin.getByTestId("new-unit").selectOption({ label: "新河镇" });
  await admin.getByRole("button", { name: "新建账号" }).click();
  await expect(admin.getByTestId("admin-message")).toContainText("一次性密码");
  const message = (await admin.getByTestId("admin-message").textContent()) ?? "";
  const oneTime = message.split("：").pop()!.trim();
  expect(oneTime.length).toBeGreaterThanOrEqual(12);

  // The new officer logs in with it and must choose a password first.
  const po = await browser.newContext({ locale: "zh-CN" });
  const officer = await po.newPage();
  await officer.goto(`${server.url}/login`);
  await officer.getByLabel("用户名").fill("xinhe");
  await officer.getByLabel("密码", { exact: true }).fill(oneTime);
  await officer.getByRole("button", { name: "登录" }).click();
  await expect(officer.getByText("孙新河 · 新河镇 · 信息员")).toBeVisible();
  await expect(officer.getByRole("heading", { name: "修改密码" })).toBeVisible();

  // Disabled: the session ends at once.
  await admin.getByTestId("account").filter({ hasText: "xinhe" }).getByTestId("toggle-disabled").click();
  await expect(admin.getByTestId("account").filter({ hasText: "xinhe" })).toContainText("已停用");
  expect((await officer.request.get(`${server.url}/api/me`)).status()).toBe(401);

  // The audit trail has every step; the CSV carries the same rows.
  await admin.getByTestId("audit-subject").fill("xinhe");
  await admin.getByTestId("audit-search").click();
  await expect(admin.getByTestId("audit-row").filter({ hasText: "user_created" })).toHaveCount(1);
  await expect(admin.getByTestId("audit-row").filter({ hasText: "user_changed" })).toContainText("disabled false → true");
  await expect(admin.getByTestId("audit-row").filter({ hasText: "login" }).first()).toBeVisible();
  const downloading = admin.waitForEvent("download");
  await admin.getByTestId("audit-csv").click();
  const csv = readFileSync((await (await downloading).path())!, "utf8");
  expect(csv.startsWith("\ufeff编号,时间(毫秒),操作人,操作,对象,详情")).toBe(true);
  expect(csv).toContain('"user_created","xinhe"');
  await pa.close();
  await po.close();
});
