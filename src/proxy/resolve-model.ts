import type { Context } from "hono";
import type { ModelConfig } from "../config/schemas";
import { pacificDay } from "../util/pacific-day";
import type { ProxyEnv } from "./client-auth";
import { errorResponse, modelNotFound } from "./errors";

/** Strips the "models/" prefix Google-style clients send. */
export function bareModelId(requested: string): string {
  return requested.startsWith("models/") ? requested.slice("models/".length) : requested;
}

/** The configured model this client may use, or the error answer. */
export function configuredModel(c: Context<ProxyEnv>, modelId: string): ModelConfig | Response {
  const model = c.get("config").modelsById.get(modelId);
  const allowed = c.get("clientKey").options.allowedModels;
  if (!model || (allowed !== null && !allowed.includes(modelId))) return modelNotFound(modelId);
  return model;
}

/**
 * 429 when the client key has used up its own daily request limit: its calls in D1's counts
 * (synced every few seconds) plus this isolate's own calls not yet there.
 */
export async function clientLimitReached(c: Context<ProxyEnv>): Promise<Response | null> {
  const { dailyLimit } = c.get("clientKey").options;
  if (dailyLimit === null) return null;
  const clientId = c.get("clientKey").id;
  const runtime = c.get("runtime");
  const view = await runtime.view.get(c.env, c.get("receivedAt"));
  const day = pacificDay(c.get("receivedAt"));
  const counted = view.day === day ? (view.counts.clients[clientId] ?? 0) : 0;
  const used = counted + runtime.own.clientCalls(clientId, day);
  if (used < dailyLimit) return null;
  return errorResponse(
    429,
    `This client key's daily limit of ${dailyLimit} requests is used up; it resets at midnight Pacific time.`,
    "rate_limit_error",
    "client_daily_limit",
  );
}
