// The officer's desk, measured in headless Chromium: how long from the last keystroke until
// the text is durable in IndexedDB (including the debounce), how long the desk takes to show
// 5,000 drafts, and how long a search over them takes. Prints `BENCH name key=value…`.
import { test, logIn, seedDrafts } from "../tests/fixtures";
import type { Page } from "@playwright/test";

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.round((s.length - 1) * p))];
  return `runs=${s.length} p50_ms=${at(0.5).toFixed(1)} p95_ms=${at(0.95).toFixed(1)} max_ms=${at(1).toFixed(1)}`;
}

/** Time from `start` (page clock) to the next performance mark called `name`. */
async function untilMark(page: Page, name: string, after: number): Promise<number> {
  return page.evaluate(
    ([name, after]) =>
      new Promise<number>((ok) => {
        const look = () => {
          const m = performance.getEntriesByName(name as string).filter((e) => e.startTime > (after as number));
          if (m.length) ok(m[0].startTime - (after as number));
          else setTimeout(look, 5);
        };
        look();
      }),
    [name, after] as const,
  );
}

test("keystroke to durable", async ({ page, server }) => {
  await logIn(page, server, "officer", "Chunfeng-2026");
  await page.getByTestId("new-draft").click();
  const body = page.getByTestId("body");
  await body.fill("开始");
  await page.getByTestId("save-state").filter({ hasText: "已保存" }).waitFor();
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    await body.press("End");
    // The last keystroke of a burst: its time is taken in the page, then the wait for the
    // commit of the save that includes it.
    const t0 = await page.evaluate(() => {
      const el = document.getElementById("body") as HTMLTextAreaElement;
      el.value += "字";
      const t = performance.now();
      el.dispatchEvent(new InputEvent("input", { bubbles: true, data: "字" }));
      return t;
    });
    times.push(await untilMark(page, "xinbao:saved", t0));
    await page.waitForTimeout(100);
  }
  console.log(`BENCH keystroke_to_durable ${stats(times)}`);
});

test("desk and search with 5,000 drafts", async ({ page, server }) => {
  await logIn(page, server, "officer2", "Dafeng-2026");
  const words = ["冰雹", "招聘会", "土地纠纷", "助餐点", "高标准农田", "防溺水", "直播带货", "安全检查"];
  const body = "兰州湾镇遭受冰雹袭击，受灾农田1.26万亩，其中棉花8600亩、加工番茄2800亩。".repeat(8);
  const base = Date.now() - 10_000_000;
  const hex = () => [...Array(32)].map(() => "0123456789abcdef"[Math.floor(Math.random() * 16)]).join("");
  const ids = Array.from({ length: 5000 }, hex);
  const drafts = ids.map((id, i) => ({ id, title: `第${i}号稿件：${words[i % words.length]}`, body: `${words[(i * 7) % words.length]}。${body}`, updated_at: base + i }));
  // An officer's device as it is day to day: every draft on the server too, and this browser
  // in step with it (nothing left to send), so what is measured is the desk, not a sync round.
  const client = hex();
  for (let at = 0; at < drafts.length; at += 200) {
    const mutations = drafts.slice(at, at + 200).map((d, j) => ({
      mid: at + j + 1, item_id: d.id, base_rev: 0, op: "save",
      content: { title: d.title, body: d.body, item_type: "dynamic", tags: [], phone: "", event_time: null, follows: null, commission: null },
    }));
    const res = await page.request.post(`${server.url}/api/sync/push`, { headers: { "x-xinbao-client": "1" }, data: { client_id: client, mutations } });
    const answer = res.ok() ? await res.json() : null;
    if (!answer || answer.results.some((r: { outcome: string }) => r.outcome !== "applied")) throw new Error(`seeding push refused: ${res.status()}`);
  }
  for (let at = 0; at < drafts.length; at += 1000) await seedDrafts(page, drafts.slice(at, at + 1000));
  // The first round after the reload pulls everything once (same text: nothing changes).
  const pulled = page.waitForResponse(async (r) => r.url().includes("/api/sync/pull") && (await r.json().catch(() => null))?.has_more === false, { timeout: 120_000 });
  await page.reload();
  await pulled;
  await page.waitForTimeout(2000);
  // First open after the page loads: every draft read from IndexedDB.
  const first: number[] = [];
  for (let i = 0; i < 5; i++) {
    await page.reload();
    await page.getByTestId("result-count").waitFor();
    first.push(await page.evaluate(() => performance.getEntriesByName("xinbao:desk-ready")[0].startTime));
  }
  console.log(`BENCH desk_first_open_5000 ${stats(first)}`);
  const open: number[] = [];
  for (let i = 0; i < 8; i++) {
    await page.getByTestId("new-draft").click();
    await page.getByTestId("title").waitFor();
    const t0 = await page.evaluate(() => {
      const t = performance.now();
      (document.querySelector("a.back") as HTMLAnchorElement).click();
      return t;
    });
    open.push(await untilMark(page, "xinbao:desk-ready", t0));
  }
  console.log(`BENCH desk_open_5000 ${stats(open)}`);

  const search: number[] = [];
  const terms = ["冰雹", "第4321号", "招聘会", "土地纠纷 第1", "没有这个词", "助餐点", "安全检查", "番茄"];
  for (const term of terms) {
    await page.evaluate(() => performance.clearMarks());
    await page.getByTestId("search").fill(term);
    // Marks are cleared before each term, so the first of each is this search's.
    const start = await untilMark(page, "xinbao:search-start", 0);
    search.push(await untilMark(page, "xinbao:search-done", start - 0.001));
  }
  console.log(`BENCH search_5000 ${stats(search)}`);
});
