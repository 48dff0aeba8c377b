// Administration in the browser: a unit and an account made by the administrator, the
// one-time password working once (and having to be changed), disabling, and the audit trail
// with its CSV export.
import { test, expect, logIn } from "./fixtures";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

// Setting up a county (issue 20): a workbook saved by LibreOffice Calc, checked row by row in the
// admin page (errors by row, in Chinese, nothing imported), then imported; the one-time
// passwords shown once, printable and downloadable, and each one logs in.
test("the administrator imports townships and officers from a LibreOffice workbook and hands out one-time passwords", async ({ browser, server }) => {
  test.setTimeout(120_000);
  server.addUser("root", "Chunfeng-2026", "admin", undefined, "系统管理员");
  const dir = mkdtempSync(join(tmpdir(), "xinbao-import-"));
  const workbook = (name: string, units: string[][], accounts: string[][]) => {
    const cell = (v: string) =>
      /^\d+$/.test(v)
        ? `<table:table-cell office:value-type="float" office:value="${v}"><text:p>${v}</text:p></table:table-cell>`
        : `<table:table-cell office:value-type="string"><text:p>${v}</text:p></table:table-cell>`;
    const table = (title: string, rows: string[][]) =>
      `<table:table table:name="${title}">${rows.map((r) => `<table:table-row>${r.map(cell).join("")}</table:table-row>`).join("")}</table:table>`;
    const fods = join(dir, `${name}.fods`);
    writeFileSync(
      fods,
      `<?xml version="1.0" encoding="UTF-8"?><office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet>` +
        table("单位", [["单位名称", "上级单位", "类型", "考核类别"], ...units]) +
        table("账号", [["用户名", "姓名", "所属单位", "角色"], ...accounts]) +
        `</office:spreadsheet></office:body></office:document>`,
    );
    const r = spawnSync("libreoffice", [`-env:UserInstallation=file://${join(dir, "profile")}`, "--headless", "--convert-to", "xlsx", "--outdir", dir, fods], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`libreoffice: ${r.stderr}`);
    return join(dir, `${name}.xlsx`);
  };
  const office = "林双县人民政府办公室";
  const bad = workbook("bad", [["新河镇", office, "乡镇", ""], ["东风村", "不存在镇", "乡镇", ""]], [["sunxh", "孙新河", "新河镇", "科长"]]);
  const good = workbook(
    "good",
    [["新河镇", office, "乡镇", ""], ["县水利局", office, "部门", ""]],
    [["sunxh", "孙新河", "新河镇", "信息员"], ["13912345678", "钱水利", "县水利局", "信息员"], ["zhoub", "周编", office, "编辑"]],
  );

  const context = await browser.newContext({ locale: "zh-CN", acceptDownloads: true });
  const admin = await context.newPage();
  await logIn(admin, server, "root", "Chunfeng-2026");
  await admin.getByTestId("admin-link").click();
  const section = admin.getByTestId("import");
  // The template downloads.
  const [template] = await Promise.all([admin.waitForEvent("download"), section.getByTestId("import-template").click()]);
  expect(template.suggestedFilename()).toContain("导入模板");

  // A file with bad rows: listed by row, in Chinese; nothing imported.
  await section.getByTestId("import-file").setInputFiles(bad);
  await section.getByTestId("import-run").click();
  await expect(section.getByTestId("import-errors")).toContainText("未导入任何内容");
  await expect(section.getByTestId("import-error")).toHaveText(["单位 · 第3行：上级单位“不存在镇”不存在（既不在系统中，也不在“单位”表中）", "账号 · 第2行：角色“科长”无法识别：请填写 信息员、编辑、签发人、管理员 或 阅读人"]);
  await expect(admin.getByTestId("units")).not.toContainText("新河镇");

  // The corrected file: checked first, then imported.
  await section.getByTestId("import-file").setInputFiles(good);
  await section.getByTestId("import-check").click();
  await expect(section.getByTestId("import-summary")).toHaveText("检查通过，可以导入：新建单位 2，新建账号 3");
  await expect(admin.getByTestId("units")).not.toContainText("新河镇");
  await section.getByTestId("import-run").click();
  await expect(section.getByTestId("import-summary")).toHaveText("已导入：新建单位 2，新建账号 3");
  await expect(admin.getByTestId("units")).toContainText("县水利局 [department] ← 林双县人民政府办公室");
  const rows = section.getByTestId("issued-account");
  await expect(rows).toHaveCount(3);
  const passwords = await rows.locator("td.password").allTextContents();
  expect(passwords.every((p) => p.length === 12)).toBe(true);
  await expect(rows.nth(1)).toContainText("钱水利县水利局信息员13912345678");
  // Printed alone: nothing else of the admin page on the sheet.
  await admin.emulateMedia({ media: "print" });
  await admin.evaluate(() => document.body.classList.add("print-passwords"));
  await expect(admin.getByTestId("accounts")).toBeHidden();
  await expect(rows.first()).toBeVisible();
  await admin.evaluate(() => document.body.classList.remove("print-passwords"));
  await admin.emulateMedia({ media: "screen" });
  // Downloaded as a workbook.
  const [sheet] = await Promise.all([admin.waitForEvent("download"), section.getByTestId("download-passwords").click()]);
  expect(sheet.suggestedFilename()).toBe("信报新账号一次性密码.xlsx");
  const saved = join(dir, "passwords.xlsx");
  await sheet.saveAs(saved);
  expect(readFileSync(saved).subarray(0, 2).toString()).toBe("PK");

  // Each one-time password logs in once, and must be changed first.
  const officer = await (await browser.newContext({ locale: "zh-CN" })).newPage();
  await officer.goto(`${server.url}/login`);
  await officer.getByLabel("用户名").fill("13912345678");
  await officer.getByLabel("密码", { exact: true }).fill(passwords[1]);
  await officer.getByRole("button", { name: "登录" }).click();
  await expect(officer.getByRole("heading", { name: "修改密码" })).toBeVisible();
  await expect(officer.getByText("钱水利 · 县水利局 · 信息员")).toBeVisible();
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});
