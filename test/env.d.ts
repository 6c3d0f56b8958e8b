import type { D1Migration } from "cloudflare:test";
import type { Env as WorkerEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      EMPTY_DB_A: D1Database;
      EMPTY_DB_B: D1Database;
    }
  }
}
export {};
