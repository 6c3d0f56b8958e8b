import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";

/** Sends one request through the whole Worker and waits for its waitUntil work (ledger, KV). */
export async function callWorker(path: string, init: RequestInit & { key?: string } = {}): Promise<{ response: Response; text: string }> {
  const headers = new Headers(init.headers);
  if (init.key) headers.set("authorization", `Bearer ${init.key}`);
  if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://proxy.test${path}`, { ...init, headers }), env, ctx);
  const text = await response.text();
  await waitOnExecutionContext(ctx);
  return { response, text };
}

export function chatBody(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "Hi" }], ...extra });
}

export async function ledgerRows(): Promise<Array<Record<string, unknown>>> {
  const { results } = await env.DB.prepare("SELECT * FROM usage_calls ORDER BY id").all();
  return results;
}
