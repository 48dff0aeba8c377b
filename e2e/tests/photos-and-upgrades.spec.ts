// Photos from the field, and the local database being upgraded by a newer app in another tab.
import { test, expect, logIn } from "./fixtures";
import type { Page } from "@playwright/test";

/** A camera-sized JPEG (4000×3000) drawn in the browser. */
async function cameraJpeg(page: Page, hue: number): Promise<Buffer> {
  const b64 = await page.evaluate(async (hue) => {
    const c = new OffscreenCanvas(4000, 3000);
    const g = c.getContext("2d")!;
    g.fillStyle = `hsl(${hue}, 60%, 50%)`;
    g.fillRect(0, 0, 4000, 3000);
    g.fillStyle = "#fff";
    g.fillRect(1000, 1000, 2000, 1000);
    const blob = await c.convertToBlob({ type: "image/jpeg", quality: 0.95 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  }, hue);
  return Buffer.from(b64, "base64");
}

test("photos are downscaled to 1600 px, kept with the draft, capped, and removable", async ({ page, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("兰州湾镇冰雹受灾现场");
  await expect(page.getByTestId("save-state")).toContainText("已保存");

  const files = [];
  for (let i = 0; i < 3; i++) files.push({ name: `现场${i + 1}.jpg`, mimeType: "image/jpeg", buffer: await cameraJpeg(page, i * 100) });
  await page.getByTestId("photo-input").setInputFiles(files);
  await expect(page.getByTestId("thumb")).toHaveCount(3);
  await expect(page.getByTestId("photos")).toContainText("现场照片 3/9");

  // As stored: at most 1600 px on the long side.
  const dims = await page.evaluate(async () => {
    const me = JSON.parse(localStorage.getItem("xinbao.session")!);
    const db: IDBDatabase = await new Promise((ok) => { const r = indexedDB.open(`xinbao-u${me.user_id}`); r.onsuccess = () => ok(r.result); });
    const all: any[] = await new Promise((ok) => { const r = db.transaction("photos").objectStore("photos").getAll(); r.onsuccess = () => ok(r.result); });
    db.close();
    // Sealed by default (`blob_sealed`: the bytes under this tab's data key, nonce first).
    const tab = JSON.parse(sessionStorage.getItem("xinbao.vault") ?? "null");
    const key = tab && (await crypto.subtle.importKey("raw", new Uint8Array(tab.key), "AES-GCM", false, ["decrypt"]));
    const out = [];
    for (const p of all) {
      if (p.blob) {
        out.push([p.width, p.height, p.blob.type, p.blob.size]);
        continue;
      }
      const bytes = new Uint8Array(p.blob_sealed);
      const plain = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.slice(0, 12) }, key, bytes.slice(12)));
      out.push([p.width, p.height, plain[0] === 0xff && plain[1] === 0xd8 ? "image/jpeg" : "?", plain.length]);
    }
    return out;
  });
  expect(dims).toHaveLength(3);
  for (const [w, h, type, size] of dims) {
    expect(Math.max(w, h)).toBe(1600);
    expect(type).toBe("image/jpeg");
    expect(size).toBeLessThan(1_000_000);
  }

  await page.getByTestId("photo-input").setInputFiles({ name: "说明.txt", mimeType: "text/plain", buffer: Buffer.from("不是图片") });
  await expect(page.getByTestId("photos")).toContainText("只能添加图片文件");
  // An iPhone's HEIC photo is an image the browser cannot read: the message says what to do.
  await page.getByTestId("photo-input").setInputFiles({ name: "IMG_0001.HEIC", mimeType: "image/heic", buffer: Buffer.from("....ftypheic") });
  await expect(page.getByTestId("photos")).toContainText("HEIC");
  await expect(page.getByTestId("photos")).toContainText("JPEG");
  await expect(page.getByTestId("thumb")).toHaveCount(3);

  await page.reload();
  await expect(page.getByTestId("thumb")).toHaveCount(3);
  await page.getByRole("button", { name: "删除照片 现场2.jpg" }).click();
  await expect(page.getByTestId("thumb")).toHaveCount(2);
  await page.reload();
  await expect(page.getByTestId("thumb")).toHaveCount(2);
});

test("a newer app upgrading the local database in another tab: this tab saves, steps aside and asks to reload", async ({ page, context, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("升级前正在写的稿件");
  await page.getByTestId("body").fill("最后一句还没保存");
  const id = page.url().split("/drafts/")[1];

  // Another tab opens the database at a newer version, as a newer app would.
  const other = await context.newPage();
  await other.goto(`${server.url}/login`);
  // This tab's data key, to read the sealed record as stored (sealing is on by default).
  const vault = await page.evaluate(() => sessionStorage.getItem("xinbao.vault"));
  const seen = await other.evaluate(async ({ id, vault }) => {
    const me = JSON.parse(localStorage.getItem("xinbao.session")!);
    const db: IDBDatabase = await new Promise((ok, fail) => {
      const r = indexedDB.open(`xinbao-u${me.user_id}`, 100); // far above any real version
      r.onupgradeneeded = () => {};
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const rec: any = await new Promise((ok) => { const r = db.transaction("drafts").objectStore("drafts").get(id); r.onsuccess = () => ok(r.result); });
    db.close();
    if (!rec?.sealed) return rec?.body ?? null;
    const tab = JSON.parse(vault ?? "null");
    const key = await crypto.subtle.importKey("raw", new Uint8Array(tab.key), "AES-GCM", false, ["decrypt"]);
    const bytes = new Uint8Array(rec.sealed);
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.slice(0, 12) }, key, bytes.slice(12));
    return JSON.parse(new TextDecoder().decode(plain)).body ?? null;
  }, { id, vault });
  // The upgrade was not blocked, and the old tab's last words were written first.
  expect(seen).toBe("最后一句还没保存");
  await expect(page.getByTestId("schema-banner")).toContainText("请刷新本页");
  // Typing goes on in the old tab after the upgrade: this tab cannot write the database any
  // more, so what is typed is kept in the tab, and comes back after the reload.
  await page.getByTestId("body").fill("最后一句还没保存，升级之后又写了一句");
  await expect(page.getByTestId("editor-note")).toContainText("重新载入后自动恢复", { timeout: 10_000 });
  await page.getByRole("button", { name: "刷新" }).click();
  await expect(page.getByTestId("body")).toHaveValue("最后一句还没保存，升级之后又写了一句", { timeout: 20_000 });
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  await page.reload();
  await expect(page.getByTestId("body")).toHaveValue("最后一句还没保存，升级之后又写了一句", { timeout: 20_000 });
});
