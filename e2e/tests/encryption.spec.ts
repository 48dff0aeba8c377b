// Local data at rest on shared township PCs (`--local-encryption`, on by default in production):
// drafts, unsent changes and photos are sealed in IndexedDB under a key only the officer's
// password opens. A new browser session asks for the password (offline too); a forgotten
// password clears this device's copy after saying what that loses — only what the server never
// received.
import { test, expect, logIn } from "./fixtures";
import type { Page } from "@playwright/test";

/** Every record of the account's IndexedDB database as stored: bytes decoded as text (so a
 * search for a title would find it in anything unsealed), Blobs by size. */
async function rawRecords(page: Page): Promise<Record<string, Record<string, unknown>[]>> {
  return page.evaluate(async () => {
    const me = JSON.parse(localStorage.getItem("xinbao.session") ?? "null");
    const db: IDBDatabase = await new Promise((ok, fail) => {
      const r = indexedDB.open(`xinbao-u${me.user_id}`);
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const out: Record<string, Record<string, unknown>[]> = {};
    for (const name of Array.from(db.objectStoreNames)) {
      out[name] = await new Promise((ok) => {
        const r = db.transaction(name).objectStore(name).getAll();
        r.onsuccess = () =>
          ok(
            r.result.map((v: Record<string, unknown>) => {
              const o: Record<string, unknown> = {};
              for (const [k, x] of Object.entries(v)) {
                o[k] = x instanceof Uint8Array ? `bytes:${new TextDecoder().decode(x)}` : x instanceof Blob ? `blob:${x.size}` : x;
              }
              return o;
            }),
          );
      });
    }
    db.close();
    return out;
  });
}

async function smallJpeg(page: Page): Promise<Buffer> {
  const b64 = await page.evaluate(async () => {
    const c = new OffscreenCanvas(800, 600);
    const g = c.getContext("2d")!;
    g.fillStyle = "hsl(30, 60%, 50%)";
    g.fillRect(0, 0, 800, 600);
    const bytes = new Uint8Array(await (await c.convertToBlob({ type: "image/jpeg", quality: 0.9 })).arrayBuffer());
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  });
  return Buffer.from(b64, "base64");
}

async function unlock(page: Page, password: string) {
  await page.getByLabel("密码", { exact: true }).fill(password);
  await page.getByRole("button", { name: "解锁" }).click();
}

test("sealed at rest: a new browser session needs the password, offline too, and a forgotten one loses only what was never sent", async ({
  browser,
  server,
}) => {
  test.setTimeout(120_000);
  await server.stop();
  server.localEncryption = true;
  await server.start();
  const context = await browser.newContext();
  let page = await context.newPage();
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

  // One draft reaches the server; the next one (with a photo) stays on this PC, unsent.
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("兰州湾镇秋粮收购进度");
  await page.getByTestId("body").fill("截至10月20日，全镇收购秋粮1.2万吨。");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  await expect(page.getByTestId("pending-count")).toHaveText("待发送 0", { timeout: 20_000 });
  // From here on nothing reaches the server from this browser, in any tab.
  await context.route("**/api/sync/**", (route) => route.abort());
  await page.getByRole("link", { name: "返回稿件列表" }).click();
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("兰州湾镇冰雹灾情续报");
  await page.getByTestId("body").fill("6月3日下午，兰州湾镇遭受冰雹，受灾农田300亩。");
  await page.getByTestId("phone").fill("13987654321");
  await page.getByTestId("phone").blur();
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  await page.getByTestId("photo-input").setInputFiles({ name: "冰雹现场.jpg", mimeType: "image/jpeg", buffer: await smallJpeg(page) });
  await expect(page.getByTestId("thumb")).toHaveCount(1);
  await expect(page.getByTestId("pending-count")).toHaveText("待发送 1", { timeout: 15_000 });

  // What the disk holds: no title, body or file name in clear; drafts and photos sealed.
  const raw = await rawRecords(page);
  const text = JSON.stringify(raw);
  for (const secret of ["兰州湾镇冰雹灾情续报", "受灾农田300亩", "兰州湾镇秋粮收购进度", "冰雹现场.jpg"]) expect(text).not.toContain(secret);
  expect(raw.drafts.length).toBe(2);
  for (const d of raw.drafts) {
    expect(d.sealed).toBeTruthy();
    expect(d.title).toBeUndefined();
  }
  expect(raw.photos.length).toBe(1);
  expect(raw.photos[0].blob_sealed).toBeTruthy();
  expect(raw.photos[0].blob).toBeUndefined();
  const storage = await page.evaluate(() => JSON.stringify(Object.assign({}, localStorage)));
  expect(storage).not.toContain("Chunfeng-2026");
  expect(storage).not.toContain("兰州湾镇冰雹灾情续报");
  // The phone remembered for the next draft is kept sealed too, like the inbox.
  expect(storage).not.toContain("13987654321");
  expect(storage).toContain("sealed:");

  // The browser is closed and opened again (a new tab holds no key): the password opens it.
  await page.close();
  page = await context.newPage();
  await page.goto(server.url);
  await expect(page.getByTestId("unlock")).toBeVisible();
  await expect(page.getByTestId("unlock")).toContainText("本机稿件已加密");
  await unlock(page, "wrong-password-9");
  await expect(page.getByTestId("unlock-error")).toHaveText("密码不正确");
  await unlock(page, "Chunfeng-2026");
  await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible();
  await expect(page.getByTestId("draft-list")).toContainText("兰州湾镇冰雹灾情续报");
  await expect(page.getByTestId("draft-list")).toContainText("兰州湾镇秋粮收购进度");
  await page.getByText("兰州湾镇冰雹灾情续报").first().click();
  await expect(page.getByTestId("body")).toHaveValue("6月3日下午，兰州湾镇遭受冰雹，受灾农田300亩。");
  await expect(page.getByTestId("thumb")).toHaveCount(1);
  // A reload of the same tab stays unlocked.
  await page.reload();
  await expect(page.getByTestId("title")).toHaveValue("兰州湾镇冰雹灾情续报");

  // Offline, with the server out of reach: the password still opens the drafts.
  await page.close();
  await server.stop();
  try {
    page = await context.newPage();
    await page.goto(server.url);
    await expect(page.getByTestId("unlock")).toBeVisible();
    await unlock(page, "Chunfeng-2026");
    await expect(page.getByTestId("draft-list")).toContainText("兰州湾镇冰雹灾情续报");
    await page.close();
  } finally {
    await server.start();
  }

  // A forgotten password: the page says what is lost before anything is.
  page = await context.newPage();
  await page.goto(server.url);
  await expect(page.getByTestId("unlock")).toBeVisible();
  await page.getByTestId("forgot-password").click();
  await expect(page.getByTestId("forget-confirm")).toContainText("尚未发送的1篇稿件");
  await expect(page.getByTestId("forget-confirm")).toContainText("已发送到服务器的稿件不受影响");
  // And what else would go, counted without the key: the queued change and the photo.
  await expect(page.getByTestId("forget-counts")).toContainText("张照片");
  await expect(page.getByTestId("forget-counts")).toContainText("1 张照片");
  await page.getByTestId("forget-device").click();
  await expect(page).toHaveURL(/\/login$/);
  // The device is cleared with a reload to the login page: read the databases once it is drawn.
  await page.getByRole("button", { name: "登录" }).waitFor();
  const databases = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(databases.filter((n) => n?.startsWith("xinbao-u"))).toEqual([]);
  await context.unroute("**/api/sync/**");

  // The administrator resets the password; the server's copy comes back, the unsent one is gone.
  server.addUser("officer", "Qiushou-2026-x", "officer", "兰州湾镇", "李建军");
  await page.getByLabel("用户名").fill("officer");
  await page.getByLabel("密码", { exact: true }).fill("Qiushou-2026-x");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible();
  await expect(page.getByTestId("draft-list")).toContainText("兰州湾镇秋粮收购进度", { timeout: 20_000 });
  await expect(page.getByTestId("draft-list")).not.toContainText("兰州湾镇冰雹灾情续报");
  await context.close();
});

test("without local encryption the records are kept as they are", async ({ page, server }) => {
  await server.stop();
  server.localEncryption = false;
  await server.start();
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("兰州湾镇秋粮收购进度");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  const raw = await rawRecords(page);
  expect(raw.drafts[0].title).toBe("兰州湾镇秋粮收购进度");
  expect(raw.drafts[0].sealed).toBeUndefined();
});
