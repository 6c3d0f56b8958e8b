// Two isolates' worth of Worker over the same local KV and D1: each app has its own runtime.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { buildApp } from "../../src/app";
import type { Env } from "../../src/env";
import { IsolateRuntime } from "../../src/runtime/runtime";

export interface Isolate {
  runtime: IsolateRuntime;
  /** Sends a request through this isolate and waits for its waitUntil work (ledger row, state writes). */
  call(request: Request, bindings?: Env): Promise<Response>;
}

export function isolate(): Isolate {
  const runtime = new IsolateRuntime();
  const app = buildApp(runtime);
  return {
    runtime,
    async call(request, bindings = env as unknown as Env) {
      const ctx = createExecutionContext();
      const response = await app.fetch(request, bindings, ctx);
      const body = await response.text();
      await waitOnExecutionContext(ctx);
      return new Response(body, { status: response.status, headers: response.headers });
    },
  };
}

/** Freezes Date.now at `start`; `advance` moves it on. */
export function clock(start: number): { now: () => number; advance: (ms: number) => void } {
  let now = start;
  vi.spyOn(Date, "now").mockImplementation(() => now);
  return { now: () => now, advance: (ms) => void (now += ms) };
}

/** Served calls per key and model, and calls per client, on `day`, straight from the ledger. */
export async function ledgerCounts(day: string): Promise<{ keys: Record<string, Record<string, number>>; clients: Record<string, number> }> {
  const keys: Record<string, Record<string, number>> = {};
  const clients: Record<string, number> = {};
  const served = await env.DB.prepare(
    "SELECT gemini_key_id AS k, model AS m, count(*) AS n FROM usage_calls WHERE day = ? AND served = 1 GROUP BY 1, 2",
  )
    .bind(day)
    .all<{ k: string; m: string; n: number }>();
  for (const row of served.results) (keys[row.k] ??= {})[row.m] = row.n;
  const byClient = await env.DB.prepare("SELECT client_key_id AS c, count(*) AS n FROM usage_calls WHERE day = ? GROUP BY 1")
    .bind(day)
    .all<{ c: string; n: number }>();
  for (const row of byClient.results) clients[row.c] = row.n;
  return { keys, clients };
}

export async function ledgerRows(): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM usage_calls").first<{ n: number }>())!.n;
}
