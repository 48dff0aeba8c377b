// Office to office (issue 24): two real servers on one machine, a county and its city, each with
// its own database. The city gives the county an account; the county's administrator connects
// it on the administration page. An officer's item is signed at the county through a two-level
// chain and sent up by system while the city is down: the 上报 page says so and keeps it. The
// city comes back and the item is in its queue, marked with the county. The city's editor adopts
// it; the county server is killed and restarted; the adoption comes back once — on the county's
// list, on the item, and in the officer's desk card — without anyone at the county typing it.
import { test, expect, logIn, hex, push, XinbaoServer } from "./fixtures";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PW = "Chunfeng-2026";

test("an item signed through two levels goes to the city's Xinbao once, and the city's adoption comes back once", async ({ browser, server: county }) => {
  test.setTimeout(180_000);
  const cityDir = mkdtempSync(join(tmpdir(), "xinbao-e2e-city-"));
  const city = new XinbaoServer(cityDir);
  city.addUser("linshuang", PW, "officer", "林双县政府办公室", "林双县政府办公室（系统报送）");
  city.addUser("cityeditor", PW, "editor", undefined, "孙编辑");
  city.addUser("citysigner", PW, "signer", undefined, "钱主任");
  await city.start();
  try {
    // The county forwards every 2 s here (20 s as shipped), so the test does not wait long.
    county.addUser("editor", PW, "editor", undefined, "王编辑");
    county.addUser("chief", PW, "signer", undefined, "赵科长");
    county.addUser("director", PW, "signer", undefined, "钱主任");
    county.addUser("boss", PW, "admin", undefined, "管理员");
    await county.stop();
    county.extraArgs = ["--forward-every", "2"];
    await county.start();

    const ctx = { locale: "zh-CN" };
    const page = async () => (await browser.newContext(ctx)).newPage();
    const [officer, editor, chief, director, admin] = [await page(), await page(), await page(), await page(), await page()];
    await logIn(officer, county, "officer", PW);
    await logIn(editor, county, "editor", PW);
    await logIn(chief, county, "chief", PW);
    await logIn(director, county, "director", PW);
    await logIn(admin, county, "boss", PW);

    // The county's chain for items going up: 科长, then 办公室主任.
    const signing = await (await admin.request.get(`${county.url}/api/admin/signing`)).json();
    const idOf = (name: string) => signing.signers.find((s: any) => s.display_name === name).id;
    const setup = {
      levels: [{ id: 1, name: "科长", holders: [idOf("赵科长")] }, { id: 2, name: "办公室主任", holders: [idOf("钱主任")] }],
      rules: [{ destination: "upward", levels: [1, 2] }],
    };
    const saved = await admin.request.post(`${county.url}/api/admin/signing`, { headers: { "x-xinbao-client": "1" }, data: setup });
    expect(saved.status()).toBe(200);

    // The administrator connects the city: a wrong password is refused there, in words.
    await admin.goto(`${county.url}/admin`);
    const form = admin.getByTestId("upward-link-form");
    await form.getByTestId("link-url").fill(city.url);
    await form.getByTestId("link-user").fill("linshuang");
    await form.getByTestId("link-password").fill("not-the-password");
    await form.getByTestId("link-save").click();
    await expect(admin.getByTestId("link-message")).toContainText("账号或密码不对", { timeout: 15_000 });
    await form.getByTestId("link-password").fill(PW);
    await form.getByTestId("link-save").click();
    await expect(admin.getByTestId("link-message")).toHaveText("已连接：登录上级信报成功", { timeout: 15_000 });
    await expect(admin.getByTestId("upward-link-row")).toContainText("市政府办公室信息科");
    await expect(admin.getByTestId("upward-link-row")).toContainText("linshuang");
    expect(await admin.content()).not.toContain(PW);

    // The officer's item, screened and edited, then signed by 科长 and 办公室主任 in turn.
    const content = { title: "兰州湾镇探索“村集体+合作社”模式带动群众增收", item_type: "experience", body: "今年以来，兰州湾镇推行“村集体+合作社”模式，带动1200户群众户均增收3000元。", phone: "13912345678" };
    await push(officer.request, county.url, 0x81, [{ mid: 1, item_id: hex(1), base_rev: 0, op: "submit", content }]);
    await push(editor.request, county.url, 0x82, [{ mid: 1, item_id: hex(1), base_rev: 1, op: "act", action: "screen" }]);
    await push(editor.request, county.url, 0x82, [{ mid: 2, item_id: hex(1), base_rev: 2, op: "act", action: "edit" }]);
    await push(editor.request, county.url, 0x82, [
      { mid: 3, item_id: hex(1), base_rev: 3, op: "act", action: "send_to_sign_off", route: { destination: "upward", important: false } },
    ]);
    await push(chief.request, county.url, 0x83, [{ mid: 1, item_id: hex(1), base_rev: 4, op: "act", action: "sign" }]);
    await push(director.request, county.url, 0x84, [{ mid: 1, item_id: hex(1), base_rev: 5, op: "act", action: "sign" }]);

    // The city is down when the editor sends it up by system: the page says so and keeps it.
    await city.stop();
    await editor.goto(`${county.url}/upward`);
    await editor.getByTestId("upward-candidate").filter({ hasText: "村集体+合作社" }).getByRole("checkbox").check();
    await expect(editor.getByTestId("upward-method")).toHaveValue("system");
    await editor.getByTestId("upward-send").click();
    await expect(editor.getByTestId("upward-message")).toHaveText("已记录上报", { timeout: 15_000 });
    await expect(async () => {
      await editor.reload();
      await expect(editor.getByTestId("upward-connection-problem")).toContainText("无法连接上级信报", { timeout: 2_000 });
      await expect(editor.getByTestId("upward-forward")).toContainText("等待发往上级信报", { timeout: 2_000 });
    }).toPass({ timeout: 30_000 });

    // The city back: the item arrives, once, in the city's queue marked with the county.
    await city.start();
    await expect(async () => {
      await editor.reload();
      await expect(editor.getByTestId("upward-forward")).toContainText("已送达上级信报", { timeout: 2_000 });
      // The county waits longer between tries while the city is down (up to 16 rounds).
    }).toPass({ timeout: 60_000 });
    const cityEditor = await page();
    const citySigner = await page();
    await logIn(cityEditor, city, "cityeditor", PW);
    await logIn(citySigner, city, "citysigner", PW);
    await cityEditor.getByTestId("review-link").click();
    const row = cityEditor.getByTestId("review-item").filter({ hasText: "村集体+合作社" });
    await expect(row).toHaveCount(1, { timeout: 15_000 });
    await expect(row).toContainText("林双县政府办公室");
    const queue = await (await cityEditor.request.get(`${city.url}/api/review/queue`)).json();
    const there = queue.filter((r: any) => r.title.includes("村集体+合作社"));
    expect(there.length).toBe(1);
    const remote = there[0].id;

    // The city's editor takes it through its own desk and adopts it in the city's periodical.
    await push(cityEditor.request, city.url, 0x91, [{ mid: 1, item_id: remote, base_rev: 1, op: "act", action: "screen" }]);
    await push(cityEditor.request, city.url, 0x91, [{ mid: 2, item_id: remote, base_rev: 2, op: "act", action: "edit" }]);
    await push(cityEditor.request, city.url, 0x91, [{ mid: 3, item_id: remote, base_rev: 3, op: "act", action: "send_to_sign_off" }]);
    await push(citySigner.request, city.url, 0x92, [{ mid: 1, item_id: remote, base_rev: 4, op: "act", action: "sign" }]);
    await cityEditor.goto(`${city.url}/review/${remote}`);
    await expect(cityEditor.getByTestId("review-item-state")).toHaveText("已签发", { timeout: 15_000 });
    const adopt = cityEditor.getByTestId("adoption-form");
    const own = await adopt.getByTestId("adopt-publication").locator("option", { hasText: "政务信息" }).first().getAttribute("value");
    await adopt.getByTestId("adopt-publication").selectOption(own!);
    await adopt.getByTestId("adopt-issue").fill("2026年第41期");
    await adopt.getByTestId("adopt-send").click();
    await expect(cityEditor.getByTestId("scoring-message")).toHaveText("已登记", { timeout: 15_000 });

    // The county server killed and started again: the adoption comes back, once.
    await county.stop();
    await county.start();
    await expect(async () => {
      await editor.goto(`${county.url}/upward`);
      await expect(editor.getByTestId("upward-adopted")).toHaveCount(1, { timeout: 2_000 });
    }).toPass({ timeout: 45_000 });
    await expect(editor.getByTestId("upward-forward")).toContainText("上级：已签发");
    // The county's own standing on the city's board this year.
    await expect(editor.getByTestId("upward-standing")).toContainText("在上级排名第1名");
    await expect(editor.getByTestId("upward-standing")).toContainText("报送1篇、采用1篇");
    await expect(editor.getByTestId("upward-stats-year").filter({ hasText: "市级" })).toContainText("100.0%");
    await editor.getByTestId("upward-item").getByRole("link", { name: /村集体/ }).click();
    await expect(editor.getByTestId("adoption")).toHaveCount(1, { timeout: 15_000 });
    await expect(editor.getByTestId("adoption")).toContainText("2026年第41期 · 全文采用");

    // The officer's desk card and the scoreboard count it: submitted (1) and adopted by the
    // city (20, the county's table), 21 points.
    await officer.reload();
    await expect(officer.getByTestId("card-unit")).toContainText("报送数 1 · 采用数 1 · 总分 21", { timeout: 15_000 });
    await officer.getByTestId("scores-link").click();
    await expect(officer.getByTestId("score-row").filter({ hasText: "兰州湾镇" }).getByTestId("score-points")).toHaveText("21", { timeout: 15_000 });

    // More rounds change nothing: still one adoption at the county, one item at the city.
    await editor.waitForTimeout(5_000);
    const scoring = await (await editor.request.get(`${county.url}/api/items/${hex(1)}/scoring`)).json();
    expect(scoring.adoptions.length).toBe(1);
    expect(scoring.adoptions[0].level).toBe("city");
    const again = await (await cityEditor.request.get(`${city.url}/api/review/queue?state=signed`)).json();
    expect(again.filter((r: any) => r.title.includes("村集体+合作社")).length).toBe(1);
  } finally {
    await city.stop();
    rmSync(cityDir, { recursive: true, force: true });
  }
});
