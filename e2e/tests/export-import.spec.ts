// Carrying drafts between machines on a USB stick: export, import on a clean browser, no
// duplicates on a second import, and another account's file refused.
import { test, expect, logIn, makeJpeg } from "./fixtures";
import { readFileSync } from "node:fs";

test("export, then import on a clean machine restores every draft with its photos, once", async ({ browser, server }) => {
  // Both machines are offline to the sync endpoint (a USB stick is how drafts travel here), so
  // what is exported and imported is unsent. Without a service worker: requests a service worker
  // makes are not seen by page.route.
  const noSync = { locale: "zh-CN", serviceWorkers: "block" as const };
  const first = await browser.newContext(noSync);
  const page = await first.newPage();
  await page.route("**/api/sync/**", (route) => route.abort());
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("带照片的稿件");
  await page.getByTestId("body").fill("受灾农田1.26万亩，倒塌圈舍3间。");
  const jpeg = await makeJpeg(page, "#3a7");
  await page.getByTestId("photo-input").setInputFiles({ name: "现场.jpg", mimeType: "image/jpeg", buffer: Buffer.from(jpeg, "base64") });
  await expect(page.getByTestId("thumb")).toHaveCount(1);
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  await page.getByRole("link", { name: "返回稿件列表" }).click();
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill("第二篇稿件");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  await page.getByRole("link", { name: "返回稿件列表" }).click();

  const downloading = page.waitForEvent("download");
  await page.getByTestId("export").click();
  const download = await downloading;
  const path = await download.path();
  await expect(page.getByTestId("transfer-message")).toHaveText("已导出 2 篇稿件。");
  const exported = JSON.parse(readFileSync(path!, "utf8"));
  expect(exported.format).toBe("xinbao-drafts");
  expect(exported.drafts).toHaveLength(2);
  expect(exported.photos).toHaveLength(1);

  // Another machine: a clean browser profile that can log in but not sync (a USB stick is how
  // drafts reach it; with sync they would simply be pulled from the server).
  const other = await browser.newContext(noSync);
  const p2 = await other.newPage();
  await p2.route("**/api/sync/**", (route) => route.abort());
  await logIn(p2, server, "officer", "Chunfeng-2026");
  await expect(p2.getByText("还没有稿件")).toBeVisible();
  await p2.getByTestId("import").setInputFiles(path!);
  await expect(p2.getByTestId("transfer-message")).toHaveText("已导入 2 篇稿件、1 张照片；0 篇本机已有，未重复导入。");
  await expect(p2.getByTestId("draft-list")).toContainText("带照片的稿件");
  await expect(p2.getByTestId("draft-list")).toContainText("第二篇稿件");
  await p2.getByText("带照片的稿件").click();
  await expect(p2.getByTestId("body")).toHaveValue("受灾农田1.26万亩，倒塌圈舍3间。");
  await expect(p2.getByTestId("thumb")).toHaveCount(1);
  await p2.getByRole("link", { name: "返回稿件列表" }).click();

  await p2.getByTestId("import").setInputFiles(path!);
  await expect(p2.getByTestId("transfer-message")).toHaveText("已导入 0 篇稿件、0 张照片；2 篇本机已有，未重复导入。");
  await expect(p2.getByTestId("result-count")).toHaveText("共 2");

  // Someone else's drafts are not theirs to import.
  await p2.getByTestId("logout").click();
  await p2.getByRole("button", { name: "仍然退出" }).click();
  await logIn(p2, server, "officer2", "Dafeng-2026");
  await p2.getByTestId("import").setInputFiles(path!);
  await expect(p2.getByTestId("transfer-message")).toHaveText("此文件属于账号“officer”，请用该账号登录后导入");
  await p2.getByTestId("import").setInputFiles({ name: "x.json", mimeType: "application/json", buffer: Buffer.from("{not json") });
  await expect(p2.getByTestId("transfer-message")).toContainText("这不是信报导出的稿件文件");
  await other.close();
  await first.close();
});
