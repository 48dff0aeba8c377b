// Benchmarks (not tests): run by `cargo xtask bench`, which reads the `BENCH …` lines they print.
import base from "./playwright.config";
import { defineConfig } from "@playwright/test";

export default defineConfig({ ...base, testDir: "./bench", testMatch: "**/*.bench.ts", timeout: 300_000, reporter: "list" });
