// Hostile text through every view and export (issue 10, "Input"): titles, bodies, comments and a
// unit name made of markup, an RTL override, zero-width characters, a spreadsheet formula, XML
// specials, a 3,000-character line and a lone UTF-16 surrogate typed from JS. Each must come out
// as the same text — shown, never run — on the officer's desk and editor, the review queue and
// item, the comment thread on both sides, the scoreboard, the printed issue and notice, and in
// the Word and Excel files (well-formed XML, text as text, no formulas).
import { test, expect, logIn, hex, push } from "./fixtures";
import type { Page } from "@playwright/test";
import { spawnSync } from "node:child_process";

const SCRIPT = `<script>window.__pwned="script"</script>`;
const IMG = `"><img src=x onerror="window.__pwned='img'">`;
const SVG = `<svg onload="window.__pwned='svg'">`;
const RTL = "\u202Egpj.exe";
const ZERO_WIDTH = "零\u200B宽\u200C字\u200D符\uFEFF";
const FORMULA = `=HYPERLINK("http://example.invalid","点")`;
const XML_SPECIALS = `]]><![CDATA[ &amp; &lt;b&gt; '"`;
const LONG = "很".repeat(3000);

const TITLES = [`兰州湾镇${SCRIPT}`, `兰州湾镇${IMG}`, `兰州湾镇${SVG}${RTL}`, FORMULA, `兰州湾镇${ZERO_WIDTH}${XML_SPECIALS}`];
const BODY = `6月3日，兰州湾镇抢收小麦1.2万亩。\n${SCRIPT}\n${IMG}${SVG}\n${RTL}${ZERO_WIDTH}\n${FORMULA}\n${XML_SPECIALS}\n${LONG}`;
// A unit name may not carry invisible characters (an RTL override would let "兰州湾镇‮…" pass
// for another unit): that one is refused; the markup and the formula are kept as text.
const UNIT = `=兰州湾镇<i onmouseover="window.__pwned='unit'">gpj.exe</i>`;
const COMMENT = `${SCRIPT}${IMG}请核实数据${ZERO_WIDTH}`;

/** Fails the test if anything hostile ran or became an element. */
async function inert(page: Page) {
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  await expect(page.locator('script:not([src]):not([type="application/json"])').filter({ hasText: "__pwned" })).toHaveCount(0);
  await expect(page.locator("img[onerror], svg[onload], i[onmouseover]")).toHaveCount(0);
}

/** The text of every w:t / t / v element in one part of an Office file, parsed as XML (so a
 * file that is not well-formed fails here). */
function officeText(path: string, part: string): { text: string; formulas: number } {
  const py = `
import sys, zipfile, xml.etree.ElementTree as ET, json
z = zipfile.ZipFile(sys.argv[1])
names = [n for n in z.namelist() if n.startswith(sys.argv[2]) and n.endswith('.xml')]
text, formulas = [], 0
for n in names:
    root = ET.fromstring(z.read(n))
    for el in root.iter():
        tag = el.tag.split('}')[-1]
        if tag in ('t', 'v') and el.text:
            text.append(el.text)
        if tag == 'f':
            formulas += 1
print(json.dumps({'text': '\\n'.join(text), 'formulas': formulas}))
`;
  const r = spawnSync("python3", ["-c", py, path, part], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

test("hostile strings come out inert and intact in every view and export", async ({ browser, server }) => {
  test.setTimeout(180_000);
  server.addUser("editor", "Chunfeng-2026", "editor", undefined, "王编辑");
  server.addUser("signer", "Chunfeng-2026", "signer", undefined, "赵主任");
  server.addUser("boss", "Chunfeng-2026", "admin", undefined, "管理员");
  const ctx = { locale: "zh-CN", acceptDownloads: true };
  const [po, pe, ps, pa] = [await browser.newContext(ctx), await browser.newContext(ctx), await browser.newContext(ctx), await browser.newContext(ctx)];
  const [officer, editor, signer, admin] = [await po.newPage(), await pe.newPage(), await ps.newPage(), await pa.newPage()];
  const dialogs: string[] = [];
  for (const p of [officer, editor, signer, admin]) p.on("dialog", (d) => { dialogs.push(d.message()); void d.dismiss(); });

  // The township's name, set by the administrator, is itself hostile.
  await logIn(admin, server, "boss", "Chunfeng-2026");
  const units = await (await admin.request.get(`${server.url}/api/admin/units`)).json();
  const town = units.find((u: any) => u.name === "兰州湾镇");
  const sneaky = await admin.request.post(`${server.url}/api/admin/units/${town.id}`, { headers: { "x-xinbao-client": "1" }, data: { name: `${UNIT}${RTL}` } });
  expect(sneaky.status()).toBe(422);
  expect((await sneaky.json()).detail).toContain("看不见的字符");
  const renamed = await admin.request.post(`${server.url}/api/admin/units/${town.id}`, { headers: { "x-xinbao-client": "1" }, data: { name: UNIT } });
  expect(renamed.status()).toBe(200);

  await logIn(officer, server, "officer", "Chunfeng-2026");
  await logIn(editor, server, "editor", "Chunfeng-2026");
  await logIn(signer, server, "signer", "Chunfeng-2026");

  // Five items from the officer's other device; four taken through to signed.
  await push(officer.request, server.url, 0xa1, TITLES.map((title, i) => ({
    mid: i + 1, item_id: hex(i + 1), base_rev: 0, op: "submit", content: { title, body: BODY, phone: "13912345678" },
  })));
  let mid = 0;
  for (const n of [1, 2, 3, 4]) {
    await push(editor.request, server.url, 0xe1, ["screen", "edit", "send_to_sign_off"].map((action, k) => ({ mid: ++mid, item_id: hex(n), base_rev: k + 1, op: "act", action })));
  }
  await push(signer.request, server.url, 0x51, [1, 2, 3, 4].map((n, k) => ({ mid: k + 1, item_id: hex(n), base_rev: 4, op: "act", action: "sign" })));

  // The officer types a hostile draft, with a lone surrogate the browser cannot encode.
  await officer.getByTestId("new-draft").click();
  await officer.getByTestId("title").fill(`兰州湾镇${IMG}`);
  await officer.evaluate((text) => {
    const el = document.getElementById("body") as HTMLTextAreaElement;
    el.value = text;
    el.dispatchEvent(new InputEvent("input", { bubbles: true }));
  }, `${SCRIPT}半个\uD800字${LONG}`);
  await expect(officer.getByTestId("save-state")).toContainText("已保存");
  await officer.reload();
  await expect(officer.getByTestId("title")).toHaveValue(`兰州湾镇${IMG}`);
  // Kept word for word; the lone surrogate (not text in any encoding) became U+FFFD.
  await expect(officer.getByTestId("body")).toHaveValue(`${SCRIPT}半个\uFFFD字${LONG}`);
  await inert(officer);
  await officer.getByRole("link", { name: "返回稿件列表" }).click();
  await officer.getByTestId("sync-now").click();
  for (const t of TITLES) await expect(officer.locator(".draft-title").filter({ hasText: t }).first()).toHaveText(t);
  await expect(officer.locator("header")).toContainText(UNIT);
  await inert(officer);

  // The review queue and the item: the same text, the comment thread too.
  await editor.getByTestId("review-link").click();
  await expect(editor.getByTestId("review-item")).toHaveCount(5, { timeout: 15_000 });
  // By the title: a row's writing-check hint may name another row's title (the five share a body).
  const row = (t: string) => editor.getByTestId("review-item").filter({ has: editor.getByTestId("review-item-title").filter({ hasText: t }) });
  for (const t of TITLES) await expect(row(t)).toHaveCount(1);
  await row(TITLES[4]).locator("a").first().click();
  await expect(editor.getByTestId("review-title")).toHaveValue(TITLES[4]);
  await expect(editor.getByTestId("review-body")).toHaveValue(BODY);
  await editor.getByTestId("comment-text").fill(COMMENT);
  await editor.getByTestId("comment-send").click();
  await expect(editor.getByTestId("comments")).toContainText(COMMENT);
  await inert(editor);
  // The comment reaches the author's thread.
  // The page is opened and its first sync round's pull awaited before it is read again: a
  // navigation during a round ends it, and on a busy machine a round outlasts any fixed wait.
  await expect.poll(async () => {
    const pulled = officer.waitForResponse((r) => r.url().includes("/api/sync/pull"), { timeout: 20_000 }).catch(() => null);
    await officer.goto(`${server.url}/drafts/${hex(5)}`);
    await pulled;
    await officer.waitForTimeout(1_000); // what the pull brought, written to IndexedDB
    await officer.reload();
    return (await officer.getByTestId("thread").textContent({ timeout: 5_000 }).catch(() => "")) ?? "";
  }, { timeout: 60_000 }).toContain(COMMENT);
  await inert(officer);

  // The periodical: an issue of the four signed items with a hostile editor's note.
  await editor.getByTestId("periodical-nav").click();
  await editor.getByTestId("new-issue").click();
  await editor.getByTestId("issue-signer").fill(`赵主任${RTL}`);
  await editor.getByTestId("issue-note").fill(`编者按：${SCRIPT}${FORMULA}${XML_SPECIALS}`);
  for (const t of TITLES.slice(0, 4)) await editor.getByTestId("candidate").filter({ hasText: t }).getByTestId("candidate-add").click();
  await expect(editor.getByTestId("issue-item")).toHaveCount(4);
  await editor.getByTestId("issue-save").click();
  await expect(editor.getByTestId("issue-message")).toHaveText("已保存");
  await editor.getByTestId("issue-publish").click();
  await editor.getByTestId("issue-publish-confirm").click();
  await expect(editor.getByTestId("issue-article").locator("h2")).toHaveText(TITLES.slice(0, 4));
  await expect(editor.getByTestId("issue-printed")).toContainText(`编者按：${SCRIPT}${FORMULA}${XML_SPECIALS}`);
  await editor.emulateMedia({ media: "print" });
  await expect(editor.getByTestId("issue-article")).toHaveCount(4);
  await editor.emulateMedia({ media: "screen" });
  await inert(editor);
  const [word] = await Promise.all([editor.waitForEvent("download"), editor.getByTestId("issue-docx").click()]);
  const doc = officeText((await word.path())!, "word/document");
  for (const t of TITLES.slice(0, 4)) expect(doc.text).toContain(t);
  expect(doc.text).toContain(LONG);
  expect(doc.text).toContain(`编者按：${SCRIPT}${FORMULA}${XML_SPECIALS}`);
  expect(doc.text).toContain(`赵主任${RTL}`);

  // The scoreboard and the notice name the township as it was written.
  await editor.getByTestId("scores-nav").click();
  await expect(editor.getByTestId("score-row").filter({ hasText: UNIT })).toHaveCount(1);
  await inert(editor);
  await editor.goto(`${server.url}/notice`);
  await expect(editor.getByTestId("notice-row").filter({ hasText: UNIT })).toHaveCount(1);
  await inert(editor);
  const [xlsx] = await Promise.all([editor.waitForEvent("download"), editor.getByTestId("notice-xlsx").click()]);
  const book = officeText((await xlsx.path())!, "xl/");
  expect(book.text).toContain(UNIT);
  expect(book.formulas).toBe(0);
  const [noticeDoc] = await Promise.all([editor.waitForEvent("download"), editor.getByTestId("notice-docx").click()]);
  expect(officeText((await noticeDoc.path())!, "word/document").text).toContain(UNIT);

  expect(dialogs).toEqual([]);
  await po.close(); await pe.close(); await ps.close(); await pa.close();
});
