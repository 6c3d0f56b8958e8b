import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { lastUsedByClient } from "../../src/admin/last-used";
import { countDay } from "../../src/pool/count-day";
import { lookupSignatures, pruneSignatures, rememberSignatures } from "../../src/signatures/signature-store";
import { foldLedger } from "../../src/usage/fold";
import { bumpConfigVersion, readConfigVersion, readSync, writeQuotaReset } from "../../src/usage/ledger-reads";
import { planToday } from "../../src/usage/plan-today";
import { addPlanUsage, noteLimitHit, readPlanUsage } from "../../src/usage/plan-usage";
import { recordCall } from "../../src/usage/record";
import { SERIES_GROUPS, SERIES_METRICS, TOTALS_GROUPS, latencyPercentiles, usageSeries, usageTotals } from "../../src/usage/report";
import { requestedNames } from "../../src/usage/requested-names";
import { pruneLedger } from "../../src/usage/retention";
import { ledgerCall } from "../helpers/ledger";

interface Statement {
  sql: string;
  params: unknown[];
}

/** The database, seen through a wrapper that notes every statement the code binds and runs. */
function recording(database: D1Database): { db: D1Database; statements: Statement[] } {
  const statements: Statement[] = [];
  const forward = <T extends object>(target: T, property: string | symbol) => {
    const value = Reflect.get(target, property);
    return typeof value === "function" ? value.bind(target) : value;
  };
  const db = new Proxy(database, {
    get(target, property) {
      if (property !== "prepare") return forward(target, property);
      return (sql: string) =>
        new Proxy(target.prepare(sql), {
          get(statement, name) {
            if (name !== "bind") return forward(statement, name);
            return (...params: unknown[]) => {
              statements.push({ sql, params });
              return statement.bind(...params);
            };
          },
        });
    },
  });
  return { db, statements };
}

/**
 * Tables a statement may read whole, on purpose: thought_signatures has no index on expires_at
 * (each would cost a D1 row written per stored signature); the daily prune and the admin's
 * count of today's signatures read the table, which holds about a day of signatures.
 */
const SCANNED_ON_PURPOSE = new Set(["thought_signatures"]);

/**
 * SQLite's plan steps that read a whole table instead of searching it. A SCAN of a subquery,
 * a CTE or a co-routine (the roll-ups-plus-tail union, the binary search) is no table scan: what
 * it reads was searched by the steps inside it.
 */
async function fullScans({ sql, params }: Statement): Promise<string[]> {
  const tables = new Set(
    (await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>()).results.map((t) => t.name),
  );
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results
    .map((step) => step.detail)
    .filter((detail) => {
      const scanned = /^SCAN (\S+)/.exec(detail)?.[1];
      return scanned !== undefined && tables.has(scanned) && !SCANNED_ON_PURPOSE.has(scanned);
    });
}

describe("every D1 statement the Worker runs searches an index (EXPLAIN QUERY PLAN)", () => {
  it("usage reports, last use, free-plan use, retention, fold, ledger syncs, thought signatures", async () => {
    const { db, statements } = recording(env.DB);
    const range = { from: "2034-01-01", to: "2034-03-31" };
    const now = Date.parse("2034-01-01T12:00:00Z");
    await recordCall(db, ledgerCall({ ts: now, day: "2034-01-01", clientKeyId: "client-a", geminiKeyId: "key-a", latencyMs: 10 }));
    for (const by of TOTALS_GROUPS) await usageTotals(db, range, by);
    for (const by of SERIES_GROUPS) for (const metric of SERIES_METRICS) await usageSeries(db, range, by, metric);
    await latencyPercentiles(db, range);
    await latencyPercentiles(db, range, "gemini-2.5-pro");
    await requestedNames(db, range);
    await lastUsedByClient(db, ["client-a", "client-b"], now);
    await addPlanUsage(db, now, { kv_writes: 2, kv_deletes: 1 });
    await noteLimitHit(db, now, "kv_writes", "KV put() limit exceeded for the day.");
    await readPlanUsage(db, "2034-01-01");
    await planToday(db, { now, notices: [], retentionMaxMb: 400 });
    await countDay(db, "2034-01-01");
    await readSync(db, "2034-01-01", 0);
    await readConfigVersion(db);
    await bumpConfigVersion(db, now);
    await writeQuotaReset(db, "2034-01-01", now);
    await foldLedger(db, now);
    await pruneLedger(db, { beforeTs: Date.parse("2033-10-01T00:00:00Z"), maxBytes: 1, chunkRows: 10, maxStatements: 3 });
    await rememberSignatures(db, { "call-1": "sig" });
    await lookupSignatures(db, ["call-1", "call-2"]);
    await pruneSignatures(db);

    const reads = statements.filter(({ sql }) => /^\s*(select|delete|update|with|insert\b[\s\S]*\bselect)\b/i.test(sql));
    expect(reads.length).toBeGreaterThanOrEqual(5 + 12 + 2 + 1 + 1 + 3 + 3);
    const scanning = [];
    for (const statement of reads) {
      const scans = await fullScans(statement);
      if (scans.length > 0) scanning.push({ sql: statement.sql, scans });
    }
    expect(scanning).toEqual([]);
  });

  it("reads the roll-ups by day and the tail by rowid range, in one statement", async () => {
    const { db, statements } = recording(env.DB);
    await usageTotals(db, { from: "2034-01-01", to: "2034-01-31" }, "key");
    const [statement] = statements;
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${statement!.sql}`)
      .bind(...statement!.params)
      .all<{ detail: string }>();
    const steps = results.map((step) => step.detail);
    expect(steps).toContain("SEARCH usage_daily USING INDEX sqlite_autoindex_usage_daily_1 (day>? AND day<?)");
    expect(steps).toContain("SEARCH usage_calls USING INTEGER PRIMARY KEY (rowid>?)");
  });

  it("reads the names sent under an alias from their roll-up by day and the tail by rowid range", async () => {
    const { db, statements } = recording(env.DB);
    await requestedNames(db, { from: "2034-01-01", to: "2034-01-31" });
    const [statement] = statements;
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${statement!.sql}`)
      .bind(...statement!.params)
      .all<{ detail: string }>();
    const steps = results.map((step) => step.detail);
    expect(steps).toContain("SEARCH usage_daily_requested USING INDEX sqlite_autoindex_usage_daily_requested_1 (day>? AND day<?)");
    expect(steps).toContain("SEARCH usage_calls USING INTEGER PRIMARY KEY (rowid>?)");
  });

  it("notices a full scan (the check itself can fail)", async () => {
    expect(await fullScans({ sql: "SELECT count(*) FROM usage_calls WHERE endpoint = ?", params: ["chat"] })).toEqual([
      "SCAN usage_calls",
    ]);
    expect(await fullScans({ sql: "SELECT count(*) FROM usage_daily_client WHERE client_key_id = ?", params: ["c"] })).toEqual([
      expect.stringMatching(/^SCAN usage_daily_client\b/),
    ]);
  });
});
