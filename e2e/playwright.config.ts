// Playwright runs the end-to-end tests in Debian's Chromium (never a downloaded browser) against
// the real server binary and the release build of the app; `cargo xtask test` sets the paths.
import { defineConfig } from "@playwright/test";

const args = (process.env.XINBAO_CHROMIUM_ARGS ??
  "--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking --disable-component-update --disable-sync --no-first-run").split(" ");

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: "list",
  use: {
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.XINBAO_CHROMIUM ?? "/usr/bin/chromium",
      args,
    },
  },
});
