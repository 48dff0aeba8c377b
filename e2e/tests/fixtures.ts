// Test fixtures: each test gets its own real server on a free port with a fresh database (sync
// carries drafts to the server, so tests sharing one would see each other's items),
// plus helpers to create accounts through the server's own CLI.
import { test as base, expect, Page, APIRequestContext } from "@playwright/test";
import { spawn, spawnSync, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const serverBin = process.env.XINBAO_SERVER_BIN ?? resolve(__dirname, "../../target/debug/xinbao-server");
const dist = process.env.XINBAO_DIST ?? resolve(__dirname, "../../dist");

export class XinbaoServer {
  private child?: ChildProcess;
  port = 0;
  /** `--local-encryption`: on by default, as shipped (shared PCs); only the tests about it being
   * off turn it off. */
  localEncryption = true;
  /** What the server printed on its last start (the demo's accounts, say). */
  output = "";
  /** More `serve` flags (`--tls-cert …`, say). */
  extraArgs: string[] = [];
  /** The built app it serves; a test may point a server at its own copy. */
  constructor(readonly dataDir: string, readonly distDir: string = dist) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Creates (or resets) an account with the server's CLI. */
  addUser(username: string, password: string, role: string, unit?: string, name?: string, mustChange = false) {
    const args = ["add-user", "--data-dir", this.dataDir, "--username", username, "--password", password, "--role", role];
    if (unit) args.push("--unit", unit);
    if (name) args.push("--name", name);
    if (mustChange) args.push("--must-change-password");
    const r = spawnSync(serverBin, args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`add-user failed: ${r.stderr}`);
  }

  /** Generates an office with a year of items and points (`xinbao-server seed`). */
  seed(scale: "year" | "province", year: number) {
    const r = spawnSync(serverBin, ["seed", "--data-dir", this.dataDir, "--scale", scale, "--year", String(year)], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`seed failed: ${r.stderr}`);
  }

  /** Starts the server (on the same port as before, after a stop) and waits until it listens. */
  async start(): Promise<void> {
    const addr = `127.0.0.1:${this.port}`;
    const args = ["serve", "--addr", addr, "--data-dir", this.dataDir, "--static-dir", this.distDir];
    args.push("--local-encryption", String(this.localEncryption), ...this.extraArgs);
    const child = spawn(serverBin, args, {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    let log = "";
    child.stderr!.on("data", (d) => (log += d.toString()));
    this.port = await new Promise<number>((ok, fail) => {
      let out = "";
      this.output = "";
      child.stdout!.on("data", (d) => {
        out += d.toString();
        this.output = out;
        const m = out.match(/listening on http:\/\/[\d.]+:(\d+)/);
        if (m) ok(Number(m[1]));
      });
      child.on("exit", (code) => fail(new Error(`server exited (${code}) before listening:\n${out}\n${log}`)));
    });
  }

  /** Kills the server process (as a crash or a pulled plug would). */
  async stop(): Promise<void> {
    const child = this.child;
    // A killed process has a signalCode and no exitCode: stopping twice must not wait forever.
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }
}

type Fixtures = { server: XinbaoServer };

export const test = base.extend<Fixtures>({
  server: [
    async ({}, use) => {
      const dir = mkdtempSync(join(tmpdir(), "xinbao-e2e-"));
      const server = new XinbaoServer(dir);
      server.addUser("officer", "Chunfeng-2026", "officer", "兰州湾镇", "李建军");
      server.addUser("officer2", "Dafeng-2026", "officer", "大丰镇", "刘国栋");
      await server.start();
      await use(server);
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    { scope: "test" },
  ],
});

/** Logs in through the login page and waits for the landing page: the desk of drafts, or the
 * home page (工作台) of the information section's editors and signers. A panic in the app (which stops the
 * Wasm) is reported in the test's output, so a hang that follows it has a visible cause. */
export async function logIn(page: Page, server: XinbaoServer, username: string, password: string) {
  page.on("console", (m) => {
    if (m.type() === "error" && m.text().includes("panicked")) console.error(`WASM PANIC in ${page.url()}: ${m.text()}`);
  });
  await page.goto(`${server.url}/login`);
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码", { exact: true }).fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("heading", { name: /^(我的稿件|工作台)$/ })).toBeVisible();
}

export { expect };
/** A 32-hex-digit id (item or client) from a small number, for readable tests. */
export const hex = (n: number) => n.toString(16).padStart(32, "0");

/** Pushes `mutations` as sync client `client` (another device of the logged-in account) and
 * expects every one applied. */
export async function push(request: APIRequestContext, url: string, client: number, mutations: object[]) {
  const res = await request.post(`${url}/api/sync/push`, { headers: { "x-xinbao-client": "1" }, data: { client_id: hex(client), mutations } });
  expect(res.status()).toBe(200);
  const body = await res.json();
  for (const r of body.results) expect(r.outcome, JSON.stringify(r)).toBe("applied");
}

/** word/document.xml of a .docx file (read with Python's zipfile: no unzip needed). */
export function documentXml(path: string): string {
  const r = spawnSync("python3", ["-c", "import sys,zipfile;print(zipfile.ZipFile(sys.argv[1]).read('word/document.xml').decode())", path], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

export const builtDist = dist;
export const serverBinary = serverBin;

/** A draft record as the app stores it in IndexedDB (see src/store.rs `LocalDraft`). */
export type SeedDraft = { id: string; title: string; body: string; item_type?: string; updated_at?: number; deleted_at?: number | null };

/** Writes drafts straight into the logged-in account's IndexedDB database, as drafts already
 * backed up on the server (so the sync engine has nothing to send for them). */
export async function seedDrafts(page: Page, drafts: SeedDraft[]) {
  await page.evaluate(async (drafts) => {
    const me = JSON.parse(localStorage.getItem("xinbao.session") ?? "null");
    const db: IDBDatabase = await new Promise((ok, fail) => {
      const r = indexedDB.open(`xinbao-u${me.user_id}`);
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    await new Promise<void>((ok, fail) => {
      const tx = db.transaction("drafts", "readwrite");
      const store = tx.objectStore("drafts");
      const now = Date.now();
      for (const d of drafts) {
        store.put({
          id: d.id, owner: me.user_id, title: d.title, body: d.body, item_type: d.item_type ?? "dynamic", tags: [], phone: "",
          event_time: null, follows: null, commission: null, created_at: d.updated_at ?? now, updated_at: d.updated_at ?? now,
          local_rev: 1, deleted_at: d.deleted_at ?? null, sync: { rev: 1, state: "draft", synced_rev: 1 },
        });
      }
      tx.oncomplete = () => ok();
      tx.onerror = () => fail(tx.error);
    });
    db.close();
  }, drafts);
}

/** A real JPEG of one colour (as base64), drawn in the page. */
export async function makeJpeg(page: Page, colour: string, width = 800, height = 600): Promise<string> {
  return page.evaluate(async ([colour, width, height]) => {
    const c = new OffscreenCanvas(width as number, height as number);
    const g = c.getContext("2d")!;
    g.fillStyle = colour as string;
    g.fillRect(0, 0, width as number, height as number);
    const b = new Uint8Array(await (await c.convertToBlob({ type: "image/jpeg" })).arrayBuffer());
    let s = "";
    for (const x of b) s += String.fromCharCode(x);
    return btoa(s);
  }, [colour, width, height]);
}

/** Writes one complete item in the editor (and optionally submits it), back on the desk after. */
export async function writeItem(page: Page, title: string, body: string, submit: boolean) {
  await page.getByTestId("new-draft").click();
  await page.getByTestId("title").fill(title);
  await page.getByTestId("body").fill(body);
  await page.getByTestId("phone").fill("13912345678");
  await expect(page.getByTestId("save-state")).toContainText("已保存");
  if (submit) {
    await page.getByTestId("submit").click();
    await expect(page.getByTestId("editor-status")).toHaveText(/待报送|已报送/);
  }
  await page.getByRole("link", { name: "返回稿件列表" }).click();
}

/** Everything the server holds for the logged-in account, read through a fresh sync client. */
export async function serverItems(request: APIRequestContext, server: XinbaoServer): Promise<any[]> {
  const client = [...Array(32)].map(() => "0123456789abcdef"[Math.floor(Math.random() * 16)]).join("");
  const items: any[] = [];
  let cursor = 0;
  for (;;) {
    const res = await request.post(`${server.url}/api/sync/pull`, { headers: { "x-xinbao-client": "1" }, data: { client_id: client, cursor } });
    expect(res.status()).toBe(200);
    const page = await res.json();
    items.push(...page.changes);
    cursor = page.cursor;
    if (!page.has_more) return items;
  }
}
