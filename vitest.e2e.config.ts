import { defineConfig } from "vitest/config";

// End-to-end tests: plain Node (not the workers pool). globalSetup starts the fake
// Gemini server and `wrangler dev` once; test files run one after another against them.
export default defineConfig({
  test: {
    name: "e2e",
    environment: "node",
    include: ["test/e2e/**/*.e2e.test.ts"],
    globalSetup: ["./test/e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
