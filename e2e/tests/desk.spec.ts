// The officer's desk: search, filters, paging, and the trash.
import { test, expect, logIn, seedDrafts } from "./fixtures";

test("search, filter and page through many drafts", async ({ page, server }) => {
  await logIn(page, server, "officer2", "Dafeng-2026");
  const base = Date.now() - 1_000_000;
  await seedDrafts(
    page,
    Array.from({ length: 120 }, (_, i) => ({
      id: `seed${String(i).padStart(4, "0")}`,
      title: i % 10 === 0 ? `大丰镇冰雹灾害第${i}号` : `大丰镇日常工作第${i}号`,
      body: i % 10 === 0 ? "冰雹袭击，受灾农田1200亩。" : "召开会议，参会干部46人。",
      item_type: i % 10 === 0 ? "urgent" : "dynamic",
      updated_at: base + i * 1000,
    })),
  );
  await page.reload();
  await expect(page.getByTestId("result-count")).toHaveText("共 120");
  const rows = page.getByTestId("draft-list").locator("li");
  await expect(rows).toHaveCount(50);
  // Newest first.
  await expect(rows.first()).toContainText("大丰镇日常工作第119号");
  await page.getByTestId("show-more").click();
  await expect(rows).toHaveCount(100);

  await page.getByTestId("search").fill("冰雹");
  await expect(page.getByTestId("result-count")).toHaveText("共 12");
  await page.getByTestId("search").fill("冰雹 第11");
  await expect(page.getByTestId("result-count")).toHaveText("共 1");
  await expect(rows.first()).toContainText("大丰镇冰雹灾害第110号");
  await page.getByTestId("search").fill("");
  await page.getByTestId("type-filter").selectOption("urgent");
  await expect(page.getByTestId("result-count")).toHaveText("共 12");
  await page.getByTestId("sort").selectOption("title");
  await expect(rows.first()).toContainText("大丰镇冰雹灾害第0号");
});

test("a deleted draft waits in the trash and can be restored; after 30 days it is gone", async ({ page, server }) => {
  await logIn(page, server, "officer2", "Dafeng-2026");
  const day = 24 * 3600 * 1000;
  await seedDrafts(page, [
    { id: "old-trash", title: "早已删除的稿件", body: "x", deleted_at: Date.now() - 31 * day },
    { id: "recent-trash", title: "刚删除的稿件", body: "y", deleted_at: Date.now() - 2 * day },
  ]);
  // The app starts with them in storage: opening the desk purges the expired one for good.
  await page.reload();
  await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible();
  await expect
    .poll(() =>
      page.evaluate(async () => {
        const me = JSON.parse(localStorage.getItem("xinbao.session")!);
        const db: IDBDatabase = await new Promise((ok) => { const r = indexedDB.open(`xinbao-u${me.user_id}`); r.onsuccess = () => ok(r.result); });
        const keys = await new Promise<IDBValidKey[]>((ok) => { const r = db.transaction("drafts").objectStore("drafts").getAllKeys(); r.onsuccess = () => ok(r.result); });
        db.close();
        return keys.map(String).sort();
      }),
    )
    .toEqual(["recent-trash"]);
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("要删除的稿件");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  await page.getByTestId("delete-draft").click();
  await expect(page.getByRole("heading", { name: "我的稿件" })).toBeVisible();
  await expect(page.getByTestId("draft-list")).not.toContainText("要删除的稿件");

  await page.getByTestId("trash-toggle").click();
  await expect(page.getByRole("heading", { name: "回收站" })).toBeVisible();
  const item = page.locator("li", { hasText: "要删除的稿件" });
  await expect(item).toContainText("30 天后彻底删除");
  await expect(page.locator("li", { hasText: "刚删除的稿件" })).toContainText("28 天后彻底删除");
  // The one deleted 31 days ago was purged when the desk opened.
  await expect(page.getByText("早已删除的稿件")).toHaveCount(0);
  await item.getByRole("button", { name: "恢复" }).click();
  await expect(page.getByText("要删除的稿件")).toHaveCount(0);
  await page.getByTestId("trash-toggle").click();
  await expect(page.getByTestId("draft-list")).toContainText("要删除的稿件");
});
