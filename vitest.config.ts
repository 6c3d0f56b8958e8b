import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Unit and integration tests inside workerd, with real local KV and D1 (migrations applied
// in setup) and the upstream faked at the fetch boundary. End-to-end tests have their own
// config (vitest.e2e.config.ts).
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "drizzle"));
  return {
    plugins: [
      cloudflareTest({
        main: "./src/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // Empty databases for the Worker's self-migration tests (test/db/schema-migrator.test.ts).
          d1Databases: ["EMPTY_DB_A", "EMPTY_DB_B"],
          bindings: {
            TEST_MIGRATIONS: migrations,
            GEMINI_API_BASE: "https://upstream.test",
            ADMIN_PASSWORD: "test-admin-password-0123456789",
            SESSION_SECRET_KEY: "test-session-secret-0123456789abcdef0123456789",
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      exclude: ["test/e2e/**", "node_modules/**"],
      setupFiles: ["./test/apply-migrations.ts"],
    },
  };
});
