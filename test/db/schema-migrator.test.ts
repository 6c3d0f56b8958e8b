import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BUNDLED_MIGRATIONS } from "../../src/db/bundled-migrations";
import { applyPendingMigrations } from "../../src/db/schema-migrator";
import { IsolateRuntime } from "../../src/runtime/runtime";
import { buildApp } from "../../src/app";
import { ORIGIN, PASSWORD } from "../admin/helpers";

async function tables(db: D1Database): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name")
    .all<{ name: string }>();
  return results.map((row) => row.name);
}

async function recorded(db: D1Database): Promise<string[]> {
  const { results } = await db.prepare("SELECT name FROM d1_migrations ORDER BY id").all<{ name: string }>();
  return results.map((row) => row.name);
}

describe("the Worker brings an empty D1 up to date itself (first deploy on an empty account)", () => {
  it("serves its first requests on an empty database: the schema is applied once, before the request runs", async () => {
    const db = env.EMPTY_DB_A;
    expect(await tables(db)).toEqual([]);
    const app = buildApp(new IsolateRuntime());
    const testEnv = { ...env, DB: db };
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;

    const login = await app.fetch(
      new Request("http://x/api/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json", origin: ORIGIN, "cf-connecting-ip": "203.0.113.77" },
        body: JSON.stringify({ password: PASSWORD }),
      }),
      testEnv,
      ctx,
    );
    expect(login.status).toBe(200);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    // A D1-backed admin read works on the freshly migrated database.
    const usage = await app.fetch(new Request("http://x/api/admin/usage?by=day", { headers: { cookie } }), testEnv, ctx);
    expect(usage.status).toBe(200);

    expect(await recorded(db)).toEqual(BUNDLED_MIGRATIONS.map((m) => m.name));
    // The same tables as the test setup's own migration of env.DB.
    expect(await tables(db)).toEqual(await tables(env.DB));
  });

  it("applies each migration exactly once when several isolates start on it at the same moment", async () => {
    const db = env.EMPTY_DB_B;
    const runs = await Promise.all(Array.from({ length: 4 }, () => applyPendingMigrations(db, BUNDLED_MIGRATIONS)));
    const appliedByAll = runs.flat().sort();
    expect(appliedByAll).toEqual(BUNDLED_MIGRATIONS.map((m) => m.name).sort());
    expect(await recorded(db)).toEqual(BUNDLED_MIGRATIONS.map((m) => m.name));
    // A later start finds nothing to do.
    expect(await applyPendingMigrations(db, BUNDLED_MIGRATIONS)).toEqual([]);
  });

  it("finds nothing to do on a database wrangler already migrated", async () => {
    expect(await applyPendingMigrations(env.DB, BUNDLED_MIGRATIONS)).toEqual([]);
  });
});
