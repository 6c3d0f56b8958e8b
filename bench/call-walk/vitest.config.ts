import { defineConfig, type UserConfig } from "vitest/config";
import workerdConfig from "../../vitest.config.ts";

// The workerd test setup (real local KV and D1) with Istanbul instrumentation of src/, so
// walk.test.ts can see which source files one call runs code in. `npm run bench:call-walk`.
export default defineConfig(async (configEnv) => {
  const base = (await (workerdConfig as (env: typeof configEnv) => Promise<UserConfig>)(configEnv)) as UserConfig;
  return {
    ...base,
    test: {
      ...base.test,
      include: ["bench/call-walk/**/*.test.ts"],
      exclude: [],
      coverage: { provider: "istanbul", enabled: true, include: ["src/**"], reporter: [], reportsDirectory: ".tmp/call-walk-coverage" },
    },
  };
});
