// Two tabs on one draft never silently lose a text; a full disk loses nothing already saved.
import { test, expect, logIn } from "./fixtures";

test("two tabs editing one draft: the conflict is shown and neither text is lost", async ({ page, context, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("大丰镇土地纠纷调解");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  const url = page.url();

  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByTestId("title")).toHaveValue("大丰镇土地纠纷调解");

  // Both tabs type before either hears of the other; A saves first.
  await page.getByTestId("body").fill("甲窗口：全镇受理土地纠纷42件。");
  await other.getByTestId("body").fill("乙窗口：调解成功39件。");
  // Exactly one of them must be told; whichever it is keeps its own text.
  await expect
    .poll(async () => (await page.getByTestId("tab-conflict").count()) + (await other.getByTestId("tab-conflict").count()))
    .toBe(1);
  const conflicted = (await other.getByTestId("tab-conflict").count()) > 0 ? other : page;
  await expect(conflicted.getByTestId("tab-conflict")).toContainText("此稿已在其他窗口修改");
  const mine = await conflicted.getByTestId("body").inputValue();
  await conflicted.getByRole("button", { name: "保留本窗口的版本" }).click();
  await expect(conflicted.getByTestId("editor-note")).toContainText("另存为副本");
  await expect(conflicted.getByTestId("save-state")).toContainText("已保存");

  await conflicted.goto(`${server.url}/`);
  const list = conflicted.getByTestId("draft-list");
  await expect(list).toContainText("大丰镇土地纠纷调解（其他窗口的版本）");
  await conflicted.reload();
  await conflicted.getByText("大丰镇土地纠纷调解（其他窗口的版本）").click();
  const theirs = await conflicted.getByTestId("body").inputValue();
  expect([theirs, mine].sort()).toEqual(["乙窗口：调解成功39件。", "甲窗口：全镇受理土地纠纷42件。"].sort());
  await conflicted.goto(url);
  await expect(conflicted.getByTestId("body")).toHaveValue(mine);
});

test("an idle tab picks up the other tab's saved text by itself", async ({ page, context, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("芳草湖镇助餐点");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  const other = await context.newPage();
  await other.goto(page.url());
  await expect(other.getByTestId("title")).toHaveValue("芳草湖镇助餐点");

  await page.getByTestId("body").fill("9个村建成老年助餐点。");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  await expect(other.getByTestId("body")).toHaveValue("9个村建成老年助餐点。");
  await expect(other.getByTestId("editor-note")).toContainText("已载入其他窗口保存的修改");
});

test("a full disk shows a clear message and the previous saved version stays intact", async ({ page, context, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("县应急管理局节前检查");
  await page.getByTestId("body").fill("检查生产经营单位126家。");
  await expect(page.getByTestId("save-state")).toContainText("已保存");

  // A full disk, as Chromium reports it: the write transaction aborts (QuotaExceededError) and
  // the storage estimate shows usage at the quota. (CDP's quota override does not reach the
  // incognito contexts Playwright uses, so both signals are simulated here.)
  await page.evaluate(() => {
    const w = window as any;
    w.__put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: any[]) {
      const request = w.__put.apply(this, args);
      this.transaction.abort();
      return request;
    } as any;
    w.__estimate = navigator.storage.estimate.bind(navigator.storage);
    navigator.storage.estimate = async () => ({ usage: 1_000_000, quota: 1_000_000 });
  });
  await page.getByTestId("body").fill("检查生产经营单位126家，发现隐患83项。");
  await expect(page.getByTestId("save-state")).toContainText("本机存储空间已满");
  // Typed text is still in the field.
  await expect(page.getByTestId("body")).toHaveValue(/发现隐患83项/);

  // In another tab (storage untouched there) the previous version is intact.
  const fresh = await context.newPage();
  await fresh.goto(page.url());
  await expect(fresh.getByTestId("body")).toHaveValue("检查生产经营单位126家。");
});

test("a write that fails once (a lost connection) is retried on its own", async ({ page, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("县教育局防溺水专题教育");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  // The write of the new text aborts once, as when the connection is lost (only that write: the
  // sync engine writes the draft's sync state on its own schedule).
  // (The record is sealed, as shipped: the editor's write is told by its fresh `updated_at`, a
  // field kept in the clear; the sync engine keeps the stored one.)
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    let fail = true;
    const from = Date.now();
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: any[]) {
      const request = (put as any).apply(this, args);
      if (fail && this.name === "drafts" && (args[0]?.updated_at ?? 0) >= from) {
        fail = false;
        this.transaction.abort();
      }
      return request;
    } as any;
  });
  await page.getByTestId("body").fill("覆盖学生2.1万人。");
  await expect(page.getByTestId("save-state")).toContainText("保存失败");
  await expect(page.getByTestId("save-state")).toContainText("已保存", { timeout: 8000 });
  await page.reload();
  await expect(page.getByTestId("body")).toHaveValue("覆盖学生2.1万人。");
});
