// Records an office can sign (issue 21) in Chromium against the real server: two editors on one
// draft issue — the second is told what the first placed and keeps their own placement, then a
// draft issue is deleted; an editor extends and then withdraws a commission and the officer's
// desk follows; the section issues last month's notice, which is frozen from then on; the
// people's scoreboard ends with its totals line.
import { test, expect, logIn, hex, push } from "./fixtures";

async function signedItems(server: any, officer: any, editor: any, signer: any, titles: string[]) {
  await push(officer.request, server.url, 0xa1, titles.map((title, i) => ({
    mid: i + 1, item_id: hex(i + 1), base_rev: 0, op: "submit",
    content: { title, body: `6月${i + 3}日，兰州湾镇${title.slice(4)}，涉及12个村。`, phone: "13912345678" },
  })));
  let mid = 0;
  for (let n = 1; n <= titles.length; n++) {
    await push(editor.request, server.url, 0xe1, ["screen", "edit", "send_to_sign_off"].map((action, k) => ({ mid: ++mid, item_id: hex(n), base_rev: k + 1, op: "act", action })));
  }
  await push(signer.request, server.url, 0x51, titles.map((_, k) => ({ mid: k + 1, item_id: hex(k + 1), base_rev: 4, op: "act", action: "sign" })));
}

test("two editors on one draft issue: the second is told what the first placed and keeps their own; a draft is deleted", async ({ browser, server }) => {
  server.addUser("editor", "Chunfeng-2026", "editor", undefined, "王编辑");
  server.addUser("editor2", "Chunfeng-2026", "editor", undefined, "张编辑");
  server.addUser("signer", "Chunfeng-2026", "signer", undefined, "赵主任");
  const ctx = await Promise.all([0, 1, 2, 3].map(() => browser.newContext({ locale: "zh-CN" })));
  const [officer, e1, e2, signer] = await Promise.all(ctx.map((c) => c.newPage()));
  await logIn(officer, server, "officer", "Chunfeng-2026");
  await logIn(e1, server, "editor", "Chunfeng-2026");
  await logIn(e2, server, "editor2", "Chunfeng-2026");
  await logIn(signer, server, "signer", "Chunfeng-2026");
  const titles = ["兰州湾镇抢收小麦1.2万亩", "兰州湾镇推进秸秆还田"];
  await signedItems(server, officer, e1, signer, titles);

  await e1.getByTestId("periodical-nav").click();
  await e1.getByTestId("new-issue").click();
  await expect(e1.getByTestId("masthead")).toBeVisible();
  // The second editor opens the same draft before the first saves.
  await e2.goto(e1.url());
  await expect(e2.getByTestId("masthead")).toBeVisible();
  await e1.getByTestId("candidate").filter({ hasText: titles[0] }).getByTestId("candidate-add").click();
  await e1.getByTestId("issue-save").click();
  await expect(e1.getByTestId("issue-message")).toHaveText("已保存");
  await e2.getByTestId("candidate").filter({ hasText: titles[1] }).getByTestId("candidate-add").click();
  await e2.getByTestId("issue-save").click();
  const told = e2.getByTestId("issue-message");
  await expect(told).toContainText("另一位编辑放入了：《兰州湾镇抢收小麦1.2万亩》");
  await expect(told).toContainText("您的编排仍保留在下方");
  await expect(e2.getByTestId("issue-item")).toHaveText([new RegExp(titles[1])]);
  // The first editor's item and its adoption stand; the second adds it back and saves both.
  let scoring = await (await e1.request.get(`${server.url}/api/items/${hex(1)}/scoring`)).json();
  expect(scoring.events.map((e: any) => e.rule)).toContain("county_full");
  await e2.getByTestId("candidate").filter({ hasText: titles[0] }).getByTestId("candidate-add").click();
  await e2.getByTestId("issue-save").click();
  await expect(e2.getByTestId("issue-message")).toHaveText("已保存");
  await e1.reload();
  await expect(e1.getByTestId("issue-item")).toHaveCount(2);

  // Deleted: gone from the list, its adoptions with it.
  await e2.getByTestId("issue-delete").click();
  await e2.getByTestId("issue-delete-confirm").click();
  await expect(e2).toHaveURL(/\/periodical$/);
  await expect(e2.getByTestId("issue-row")).toHaveCount(0);
  scoring = await (await e1.request.get(`${server.url}/api/items/${hex(1)}/scoring`)).json();
  expect(scoring.events.map((e: any) => e.rule)).not.toContain("county_full");
  for (const c of ctx) await c.close();
});

test("an editor extends a commission and then withdraws it; the officer's list follows", async ({ browser, server }) => {
  server.addUser("editor", "Chunfeng-2026", "editor", undefined, "王编辑");
  const [po, pe] = [await browser.newContext({ locale: "zh-CN" }), await browser.newContext({ locale: "zh-CN" })];
  const officer = await po.newPage();
  const editor = await pe.newPage();
  await logIn(officer, server, "officer", "Chunfeng-2026");
  await logIn(editor, server, "editor", "Chunfeng-2026");
  await editor.getByTestId("commissions-nav").click();
  await editor.getByTestId("commission-topic").fill("冬季防火检查");
  // A deadline already past is refused before it is sent.
  const day = (d: number) => editor.evaluate((d) => new Date(Date.now() + 8 * 3600_000 + d * 86400_000).toISOString().slice(0, 10), d);
  await editor.getByTestId("commission-deadline").fill(await day(-2));
  await editor.getByTestId("commission-from").fill(await day(-5));
  await editor.getByTestId("commission-units").getByLabel("兰州湾镇").check();
  await editor.getByTestId("commission-publish").click();
  await expect(editor.getByTestId("commission-message")).toHaveText("截止日期不能早于今天");
  await editor.getByTestId("commission-deadline").fill(await day(3));
  await editor.getByTestId("commission-publish").click();
  await expect(editor.getByTestId("commission-message")).toHaveText("已发布");
  const item = editor.getByTestId("commission").filter({ hasText: "冬季防火检查" });
  await expect(item).toBeVisible();

  // Extended: the unit asked stays asked (its box cannot be cleared).
  const later = await day(10);
  await item.getByTestId("commission-edit").click();
  await expect(editor.getByTestId("commission-editing")).toContainText("冬季防火检查");
  await expect(editor.getByTestId("commission-units").getByLabel("兰州湾镇")).toBeChecked();
  await expect(editor.getByTestId("commission-units").getByLabel("兰州湾镇")).toBeDisabled();
  await editor.getByTestId("commission-deadline").fill(later);
  await editor.getByTestId("commission-publish").click();
  await expect(editor.getByTestId("commission-message")).toHaveText("已保存");
  await expect(item).toContainText(later);
  await officer.getByTestId("commissions-nav").click();
  await expect(officer.getByTestId("commission").filter({ hasText: "冬季防火检查" })).toContainText(later);

  // Withdrawn: marked for the office, gone for the officer.
  await item.getByTestId("commission-withdraw").click();
  await item.getByTestId("commission-withdraw-confirm").click();
  await expect(item.getByTestId("commission-withdrawn")).toHaveText("已撤回");
  await officer.reload();
  await expect(officer.getByTestId("commissions-nav")).toBeVisible();
  await officer.getByTestId("commissions-nav").click();
  await expect(officer.getByTestId("commission").filter({ hasText: "冬季防火检查" })).toHaveCount(0);
  await po.close(); await pe.close();
});

test("the section issues last month's notice, frozen from then on; the people's board ends with its totals", async ({ browser, server }) => {
  server.addUser("signer", "Chunfeng-2026", "signer", undefined, "赵主任");
  const context = await browser.newContext({ locale: "zh-CN" });
  const signer = await context.newPage();
  await logIn(signer, server, "signer", "Chunfeng-2026");
  await signer.getByTestId("notice-nav").click();
  await expect(signer.getByTestId("notice-title")).toBeVisible();
  // This month has not ended: nothing to issue.
  await signer.getByTestId("notice-this-month").click();
  await expect(signer.getByTestId("notice-title")).toContainText("月");
  await expect(signer.getByTestId("notice-issue")).toHaveCount(0);
  await signer.getByTestId("notice-last-month").click();
  await signer.getByTestId("notice-issue").click();
  await signer.getByTestId("notice-issue-confirm").click();
  await expect(signer.getByTestId("notice-issued")).toContainText("已签发，内容已冻结：赵主任");
  await expect(signer.getByTestId("notice-issue")).toHaveCount(0);
  // Read again (another page load): served as issued.
  await signer.reload();
  await expect(signer.getByTestId("notice-issued")).toBeVisible();
  // Issued by mistake: an administrator withdraws it, with a reason, and the month opens again.
  server.addUser("boss", "Chunfeng-2026", "admin", undefined, "钱主任");
  const adminContext = await browser.newContext({ locale: "zh-CN" });
  const admin = await adminContext.newPage();
  await logIn(admin, server, "boss", "Chunfeng-2026");
  await admin.goto(`${server.url}/notice`);
  await admin.getByTestId("notice-reopen").click();
  await expect(admin.getByTestId("notice-issue-message")).toHaveText("请填写撤销签发的理由");
  await admin.getByTestId("notice-reopen-reason").fill("误签发，数据更正后重发");
  await admin.getByTestId("notice-reopen").click();
  await expect(admin.getByTestId("notice-issued")).toHaveCount(0);
  await signer.reload();
  await expect(signer.getByTestId("notice-issue")).toBeVisible();
  await adminContext.close();

  await signer.getByTestId("scores-nav").click();
  await signer.getByTestId("scores-by").selectOption("person");
  await expect(signer.getByTestId("score-total")).toContainText("合计");
  await context.close();
});
