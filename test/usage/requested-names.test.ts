import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { beforeEach, describe, expect, it } from "vitest";
import { usageRoutes } from "../../src/admin/usage-routes";
import { foldLedger } from "../../src/usage/fold";
import { recordCall } from "../../src/usage/record";
import { requestedNames } from "../../src/usage/requested-names";
import { ledgerCall } from "../helpers/ledger";

const app = new Hono().route("/api/admin", usageRoutes);
const DAY = "2033-03-01";
const NEXT = "2033-03-02";
const ts = (day: string) => Date.parse(`${day}T20:00:00Z`);

beforeEach(async () => {
  for (const table of ["usage_calls", "usage_daily", "usage_daily_client", "usage_daily_outcome", "usage_latency", "usage_daily_requested"]) {
    await env.DB.prepare(`DELETE FROM ${table}`).run();
  }
  await env.DB.prepare("UPDATE usage_fold SET through = 0, folded_at = 0 WHERE id = 1").run();
});

describe("names sent under a model alias", () => {
  it("adds the folded roll-up and the unfolded tail, per name and model, only for calls an alias mapped", async () => {
    const call = (day: string, requestedModel: string | null, model = "gemini-2.5-pro", outcome: "ok" | "upstream_error" = "ok") =>
      recordCall(env.DB, ledgerCall({ ts: ts(day), day, requestedModel, model, outcome }));
    await call(DAY, "claude-sonnet-4-5");
    await call(DAY, "claude-sonnet-4-5", "gemini-2.5-pro", "upstream_error");
    await call(DAY, null); // asked for by its own id: not a requested name
    const folded = await foldLedger(env.DB);
    expect(folded.rows).toBe(3);
    expect((await env.DB.prepare("SELECT day, requested_model, model, requests, errors FROM usage_daily_requested").all()).results).toEqual([
      { day: DAY, requested_model: "claude-sonnet-4-5", model: "gemini-2.5-pro", requests: 2, errors: 1 },
    ]);

    // The tail after the fold counts at once, and the same name mapped to another model is its own row.
    await call(NEXT, "claude-sonnet-4-5");
    await call(NEXT, "gpt-5.1-codex", "gemini-2.5-flash");
    await call(NEXT, "claude-sonnet-4-5", "gemini-2.5-flash");
    expect(await requestedNames(env.DB, { from: DAY, to: NEXT })).toEqual([
      { requested: "claude-sonnet-4-5", model: "gemini-2.5-pro", requests: 3, errors: 1 },
      { requested: "claude-sonnet-4-5", model: "gemini-2.5-flash", requests: 1, errors: 0 },
      { requested: "gpt-5.1-codex", model: "gemini-2.5-flash", requests: 1, errors: 0 },
    ]);
    expect(await requestedNames(env.DB, { from: NEXT, to: NEXT })).toHaveLength(3);
    expect(await requestedNames(env.DB, { from: DAY, to: DAY })).toEqual([{ requested: "claude-sonnet-4-5", model: "gemini-2.5-pro", requests: 2, errors: 1 }]);

    // A fold changes no answer.
    const before = await requestedNames(env.DB, { from: DAY, to: NEXT });
    await foldLedger(env.DB);
    expect(await requestedNames(env.DB, { from: DAY, to: NEXT })).toEqual(before);
  });

  it("is served as GET /api/admin/usage/requested, with the usage routes' range checks", async () => {
    await recordCall(env.DB, ledgerCall({ ts: ts(DAY), day: DAY, requestedModel: "claude-haiku-4-5", model: "gemini-2.5-flash-lite" }));
    const response = await app.request(`http://panel.test/api/admin/usage/requested?from=${DAY}&to=${NEXT}`, {}, env);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ from: DAY, to: NEXT, rows: [{ requested: "claude-haiku-4-5", model: "gemini-2.5-flash-lite", requests: 1, errors: 0 }] });
    for (const query of [`from=${NEXT}&to=${DAY}`, "from=2033-02-30", "from=2030-01-01&to=2033-01-01"]) {
      const refused = await app.request(`http://panel.test/api/admin/usage/requested?${query}`, {}, env);
      expect(refused.status, query).toBe(400);
    }
  });
});
