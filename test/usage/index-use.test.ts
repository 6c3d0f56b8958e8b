import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { lastUsedByClient } from "../../src/admin/last-used";
import { lookupSignatures, pruneSignatures, rememberSignatures } from "../../src/signatures/signature-store";
import { clientRequestsOnDay } from "../../src/usage/client-usage";
import { ledgerCountsForDay, pruneLedger } from "../../src/usage/ledger-counts";
import { ZERO_USAGE } from "../../src/openai/usage";
import { recordCall } from "../../src/usage/record";
import { SERIES_GROUPS, SERIES_METRICS, TOTALS_GROUPS, latencyPercentiles, usageSeries, usageTotals } from "../../src/usage/report";

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

/** SQLite's plan steps that read a whole table or index instead of searching it. */
async function fullScans({ sql, params }: Statement): Promise<string[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((step) => step.detail).filter((detail) => detail.startsWith("SCAN ") && detail !== "SCAN CONSTANT ROW");
}

describe("every D1 statement the Worker runs searches an index (EXPLAIN QUERY PLAN)", () => {
  it("usage reports, client limit, reconciliation, retention, last use, thought signatures", async () => {
    const { db, statements } = recording(env.DB);
    const range = { from: "2034-01-01", to: "2034-03-31" };
    for (const by of TOTALS_GROUPS) await usageTotals(db, range, by);
    for (const by of SERIES_GROUPS) for (const metric of SERIES_METRICS) await usageSeries(db, range, by, metric);
    await latencyPercentiles(db, range);
    await latencyPercentiles(db, range, "gemini-2.5-pro");
    await clientRequestsOnDay(db, "client-a", "2034-01-01");
    await ledgerCountsForDay(db, "2034-01-01", null);
    await ledgerCountsForDay(db, "2034-01-01", Date.parse("2034-01-01T12:00:00Z"));
    await pruneLedger(db, Date.parse("2033-10-01T00:00:00Z"));
    await lastUsedByClient(db, ["client-a", "client-b"]);
    await rememberSignatures(db, { "call-1": "sig" });
    await lookupSignatures(db, ["call-1", "call-2"]);
    await pruneSignatures(db);
    await recordCall(db, {
      ts: Date.parse("2034-01-01T12:00:00Z"),
      day: "2034-01-01",
      clientKeyId: "client-a",
      geminiKeyId: "key-a",
      model: "gemini-2.5-flash",
      category: "flash",
      endpoint: "chat",
      streamed: false,
      status: 200,
      outcome: "ok",
      served: true,
      attempts: 1,
      tokens: ZERO_USAGE,
      latencyMs: 10,
      ttfbMs: null,
      errorCode: null,
    });

    const reads = statements.filter(({ sql }) => /^\s*(select|delete|update)\b/i.test(sql));
    expect(reads.length).toBeGreaterThanOrEqual(5 + 12 + 2 + 1 + 2 + 1 + 2 + 1 + 1);
    const scanning = [];
    for (const statement of reads) {
      const scans = await fullScans(statement);
      if (scans.length > 0) scanning.push({ sql: statement.sql, scans });
    }
    expect(scanning).toEqual([]);
  });

  it("notices a full scan (the check itself can fail)", async () => {
    expect(await fullScans({ sql: "SELECT count(*) FROM usage_calls WHERE endpoint = ?", params: ["chat"] })).toEqual([
      "SCAN usage_calls",
    ]);
  });
});
