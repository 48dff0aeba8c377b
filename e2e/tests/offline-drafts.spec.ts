// The officer's desk never loses a word: offline reloads, closed tabs, IME composition.
import { test, expect, logIn } from "./fixtures";
import type { Page } from "@playwright/test";

/** When a draft was last written to IndexedDB, as stored (a field kept in the clear when the
 * record is sealed: the body itself is not readable from outside the app). */
async function storedAt(page: Page, draftId: string): Promise<number | null> {
  return page.evaluate(async (id) => {
    const dbs = await indexedDB.databases();
    for (const info of dbs) {
      if (!info.name?.startsWith("xinbao-u")) continue;
      const db: IDBDatabase = await new Promise((ok, fail) => {
        const r = indexedDB.open(info.name!);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      const rec: any = await new Promise((ok) => {
        const r = db.transaction("drafts").objectStore("drafts").get(id);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => ok(undefined);
      });
      db.close();
      if (rec) return rec.updated_at as number;
    }
    return null;
  }, draftId);
}

function draftIdOf(page: Page): string {
  return page.url().split("/drafts/")[1];
}

test("with the server killed, a reload opens the app from the service worker and the draft is intact", async ({ page, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.getByTestId("new-draft").click();
  const title = "北五岔镇发生疑似食源性疾病事件";
  const body = "9月26日午饭后，北五岔镇中心学校部分学生出现腹痛、呕吐症状，镇卫生院已派出医护人员。";
  await page.getByTestId("title").fill(title);
  await page.getByTestId("body").fill(body);
  await expect(page.getByTestId("save-state")).toContainText("已保存");

  await server.stop();
  try {
    await page.reload();
    await expect(page.getByTestId("title")).toHaveValue(title);
    await expect(page.getByTestId("body")).toHaveValue(body);
    await page.getByRole("link", { name: "返回稿件列表" }).click();
    await expect(page.getByTestId("draft-list")).toContainText(title);
    // A deep link typed into the address bar also opens offline.
    await page.goto(`${server.url}/drafts/${"0".repeat(32)}`);
    await expect(page.getByTestId("title")).toHaveValue("");
  } finally {
    await server.start();
  }
});

test("closing the tab mid-typing loses at most the last second", async ({ page, context, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  const id = draftIdOf(page);
  const typed = "六户地镇通村公路建成通车全长十二点六公里总投资约八百四十万元";
  await page.getByTestId("body").pressSequentially(typed, { delay: 60 });
  await page.close({ runBeforeUnload: true });

  const again = await context.newPage();
  await again.goto(`${server.url}/drafts/${id}`);
  const saved = await again.getByTestId("body").inputValue();
  expect(typed.startsWith(saved)).toBe(true);
  // 60 ms a character: one second is about 17 characters.
  expect(saved.length).toBeGreaterThanOrEqual(typed.length - 17);
});

test("IME composition neither saves half-composed text nor loses or doubles the result", async ({ page, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  const id = draftIdOf(page);
  const field = page.getByTestId("body");
  await field.fill("兰州湾镇");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  const savedAt = await storedAt(page, id);
  expect(savedAt).toBeTruthy();

  // What a pinyin IME does: compositionstart, input events with Latin letters, compositionend.
  await field.evaluate((el: HTMLTextAreaElement) => {
    el.focus();
    el.dispatchEvent(new CompositionEvent("compositionstart", { bubbles: true }));
    for (const partial of ["b", "bi", "bin", "bing", "bingb", "bingbao"]) {
      el.value = "兰州湾镇" + partial;
      el.dispatchEvent(new InputEvent("input", { bubbles: true, isComposing: true, data: partial }));
    }
  });
  await page.waitForTimeout(1200);
  expect(await storedAt(page, id)).toBe(savedAt); // nothing written mid-composition
  // The field was not re-rendered: the caret is still at the end of the composition.
  expect(await field.evaluate((el: HTMLTextAreaElement) => el.selectionStart)).toBe("兰州湾镇bingbao".length);

  await field.evaluate((el: HTMLTextAreaElement) => {
    el.value = "兰州湾镇冰雹";
    el.dispatchEvent(new CompositionEvent("compositionend", { bubbles: true, data: "冰雹" }));
    el.dispatchEvent(new InputEvent("input", { bubbles: true, isComposing: false, data: "冰雹" }));
  });
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  expect(await storedAt(page, id)).toBeGreaterThan(savedAt ?? 0);
  await page.reload();
  await expect(page.getByTestId("body")).toHaveValue("兰州湾镇冰雹");
});
