import type { Context } from "hono";
import type { ModelConfig } from "../config/schemas";
import { pacificDay } from "../pool/pacific-day";
import { clientRequestsOnDay } from "../usage/client-usage";
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

/** 429 when the client key has used up its own daily request limit. */
export async function clientLimitReached(c: Context<ProxyEnv>): Promise<Response | null> {
  const { dailyLimit } = c.get("clientKey").options;
  if (dailyLimit === null) return null;
  const used = await clientRequestsOnDay(c.env.DB, c.get("clientKey").id, pacificDay(c.get("receivedAt")));
  if (used < dailyLimit) return null;
  return errorResponse(
    429,
    `This client key's daily limit of ${dailyLimit} requests is used up; it resets at midnight Pacific time.`,
    "rate_limit_error",
    "client_daily_limit",
  );
}
