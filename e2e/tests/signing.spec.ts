// Sign-off chains (issue 24) in Chromium against the real server: the administrator sets two
// levels and the rules on the administration page; the editor sends an item upward, marked
// important; the section chief signs it on a phone (360 px), the director — who could not sign
// before the chief — then signs it, and the item shows who signed at each level.
import { test, expect, logIn, hex, push } from "./fixtures";
import type { Page } from "@playwright/test";

const PW = "Chunfeng-2026";

async function noSidewaysScroll(page: Page) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(wide).toBeLessThanOrEqual(0);
}

test("a two-level chain set on the administration page, signed level by level, the first on a phone", async ({ browser, server }) => {
  server.addUser("root", PW, "admin", undefined, "系统管理员");
  server.addUser("editor", PW, "editor", undefined, "王编辑");
  server.addUser("chief", PW, "signer", undefined, "赵科长");
  server.addUser("director", PW, "signer", undefined, "钱主任");
  const ctx = { locale: "zh-CN" };
  const phone = { locale: "zh-CN", viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };

  // The administrator: 科长 (赵科长) then 办公室主任 (钱主任); going up: both; anything else: 科长.
  const admin = await (await browser.newContext(ctx)).newPage();
  await logIn(admin, server, "root", PW);
  await admin.goto(`${server.url}/admin`);
  for (const [name, holder] of [["科长", "赵科长"], ["办公室主任", "钱主任"]]) {
    await admin.getByTestId("add-sign-level").click();
    const level = admin.getByTestId("sign-level").last();
    await level.getByTestId("sign-level-name").fill(name);
    await level.getByTestId("sign-level-name").press("Tab");
    await admin.getByTestId("sign-level").last().getByLabel(holder).check();
  }
  await admin.getByTestId("add-sign-rule").click();
  await admin.getByTestId("sign-rule").last().getByTestId("sign-rule-destination").selectOption("upward");
  await admin.getByTestId("sign-rule").last().getByLabel("科长", { exact: true }).check();
  await admin.getByTestId("sign-rule").last().getByLabel("办公室主任", { exact: true }).check();
  await admin.getByTestId("add-sign-rule").click();
  await admin.getByTestId("sign-rule").last().getByLabel("科长", { exact: true }).check();
  await admin.getByTestId("save-signing").click();
  await expect(admin.getByTestId("signing-message")).toHaveText("已保存");
  const stored = await (await admin.request.get(`${server.url}/api/admin/signing`)).json();
  expect(stored.setup.rules.map((r: any) => r.levels.length)).toEqual([2, 1]);
  // A reload shows what was stored.
  await admin.reload();
  await expect(admin.getByTestId("sign-level-name").first()).toHaveValue("科长");
  await expect(admin.getByTestId("sign-rule")).toHaveCount(2);

  // An officer's item, submitted.
  const officer = await (await browser.newContext(ctx)).newPage();
  await logIn(officer, server, "officer", PW);
  const content = { title: "河西镇冰雹灾害", body: "6月3日下午，河西镇遭受冰雹，受灾农田1200亩。", phone: "13912345678", item_type: "dynamic" };
  await push(officer.request, server.url, 71, [{ mid: 1, item_id: hex(1), base_rev: 0, op: "submit", content }]);

  // The editor sends it upward, marked important.
  const editor = await (await browser.newContext(ctx)).newPage();
  await logIn(editor, server, "editor", PW);
  await editor.goto(`${server.url}/review/${hex(1)}`);
  await editor.getByTestId("act-screen").click();
  await expect(editor.getByTestId("review-item-state")).toHaveText("筛选中", { timeout: 15_000 });
  await editor.getByTestId("act-edit").click();
  await expect(editor.getByTestId("review-item-state")).toHaveText("编辑中", { timeout: 15_000 });
  await editor.getByTestId("sign-destination").selectOption("upward");
  await editor.getByTestId("sign-important").check();
  await editor.getByTestId("act-send_to_sign_off").click();
  await expect(editor.getByTestId("review-item-state")).toHaveText("待签发", { timeout: 15_000 });
  await expect(editor.getByTestId("signing-progress")).toContainText("签发进度（上报）：科长（待签） → 办公室主任");
  await expect(editor.getByTestId("signing-progress")).toContainText("重要信息");

  // The director cannot sign before the chief: told so, no buttons.
  const director = await (await browser.newContext(phone)).newPage();
  await logIn(director, server, "director", PW);
  await director.goto(`${server.url}/review/${hex(1)}`);
  await expect(director.getByTestId("waits-other-level")).toBeVisible({ timeout: 15_000 });
  await expect(director.getByTestId("act-sign")).toHaveCount(0);

  // The chief signs on a phone.
  const chief = await (await browser.newContext(phone)).newPage();
  await logIn(chief, server, "chief", PW);
  await chief.goto(`${server.url}/review/${hex(1)}`);
  await expect(chief.getByTestId("review-item-state")).toHaveText("待签发", { timeout: 15_000 });
  await noSidewaysScroll(chief);
  await chief.getByTestId("review-note").fill("同意上报");
  await chief.getByTestId("act-sign").click();
  await expect(chief.getByTestId("signing-progress")).toContainText("科长 ✓ 赵科长 → 办公室主任（待签）", { timeout: 15_000 });
  await expect(chief.getByTestId("review-item-state")).toHaveText("待签发");
  await expect(chief.getByTestId("waits-other-level")).toBeVisible();

  // The director's next sync: now theirs to sign.
  await director.getByTestId("sync-now").click();
  await expect(director.getByTestId("act-sign")).toBeVisible({ timeout: 15_000 });
  await noSidewaysScroll(director);
  await director.getByTestId("act-sign").click();
  await expect(director.getByTestId("review-item-state")).toHaveText("已签发", { timeout: 15_000 });
  await expect(director.getByTestId("signing-progress")).toContainText("科长 ✓ 赵科长 → 办公室主任 ✓ 钱主任");
  const revs = await (await officer.request.get(`${server.url}/api/items/${hex(1)}/revisions`)).json();
  expect(revs.map((r: any) => r.state)).toEqual(["submitted", "screening", "editing", "awaiting_sign_off", "awaiting_sign_off", "signed"]);
});
