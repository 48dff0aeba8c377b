// The officer's desk never loses a word: offline reloads, closed tabs, IME composition.
import { test, expect, logIn } from "./fixtures";
import type { Page } from "@playwright/test";

/** Reads a draft's body straight from IndexedDB, as stored — opening it with this tab's data
 * key (AES-GCM, nonce first, as `DataKey::seal` writes) when it is sealed, as it is by default. */
async function storedBody(page: Page, draftId: string): Promise<string | null> {
  return page.evaluate(async (id) => {
    const me = JSON.parse(localStorage.getItem("xinbao.session") ?? "null");
    const db: IDBDatabase = await new Promise((ok, fail) => {
      const r = indexedDB.open(`xinbao-u${me.user_id}`);
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const rec: any = await new Promise((ok) => {
      const r = db.transaction("drafts").objectStore("drafts").get(id);
      r.onsuccess = () => ok(r.result);
      r.onerror = () => ok(undefined);
    });
    db.close();
    if (!rec) return null;
    if (!rec.sealed) return rec.body as string;
    const tab = JSON.parse(sessionStorage.getItem("xinbao.vault") ?? "null");
    const key = await crypto.subtle.importKey("raw", new Uint8Array(tab.key), "AES-GCM", false, ["decrypt"]);
    const bytes = new Uint8Array(rec.sealed);
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.slice(0, 12) }, key, bytes.slice(12));
    return JSON.parse(new TextDecoder().decode(plain)).body as string;
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
  // The last tab closed: the sealed drafts need the password again (the shipped default).
  await expect(again.getByTestId("unlock")).toBeVisible();
  await again.getByLabel("密码", { exact: true }).fill("Chunfeng-2026");
  await again.getByRole("button", { name: "解锁" }).click();
  await expect(again.getByTestId("body")).toBeVisible();
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
  expect(await storedBody(page, id)).toBe("兰州湾镇");
  // The field was not re-rendered: the caret is still at the end of the composition.
  expect(await field.evaluate((el: HTMLTextAreaElement) => el.selectionStart)).toBe("兰州湾镇bingbao".length);

  await field.evaluate((el: HTMLTextAreaElement) => {
    el.value = "兰州湾镇冰雹";
    el.dispatchEvent(new CompositionEvent("compositionend", { bubbles: true, data: "冰雹" }));
    el.dispatchEvent(new InputEvent("input", { bubbles: true, isComposing: false, data: "冰雹" }));
  });
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  expect(await storedBody(page, id)).toBe("兰州湾镇冰雹");
  await page.reload();
  await expect(page.getByTestId("body")).toHaveValue("兰州湾镇冰雹");
});
