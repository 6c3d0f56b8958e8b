import type { ConfigSnapshot } from "../config/config-snapshot";
import type { ModelConfig, WorkerKeyRecord } from "../config/schemas";
import { nextPacificMidnight, pacificDay } from "../util/pacific-day";
import type { CallFailure } from "./failure-policy";
import type { CallDeps } from "./front-door";

/** Strips the "models/" prefix Google-style clients send. */
export function bareModelId(requested: string): string {
  return requested.startsWith("models/") ? requested.slice("models/".length) : requested;
}

/** The configured model this client key may use, or null. */
export function allowedModel(config: ConfigSnapshot, clientKey: WorkerKeyRecord, modelId: string): ModelConfig | null {
  const model = config.modelsById.get(modelId);
  const allowed = clientKey.options.allowedModels;
  if (!model || (allowed !== null && !allowed.includes(modelId))) return null;
  return model;
}

/**
 * A 429 when the client key has used up its own daily request limit: its calls that reached
 * Google in D1's counts (synced every few seconds) plus this isolate's own calls not yet there,
 * those under way included.
 */
export async function clientLimitReached(deps: CallDeps): Promise<CallFailure | null> {
  const { dailyLimit } = deps.clientKey.options;
  if (dailyLimit === null) return null;
  const clientId = deps.clientKey.id;
  const view = await deps.runtime.view.get(deps.env, deps.receivedAt);
  const day = pacificDay(deps.receivedAt);
  const counted = view.day === day ? (view.counts.clients[clientId] ?? 0) : 0;
  const used = counted + deps.runtime.own.clientCalls(clientId, day);
  if (used < dailyLimit) return null;
  return {
    status: 429,
    message: `This client key's daily limit of ${dailyLimit} requests is used up; it resets at midnight Pacific time.`,
    type: "rate_limit_error",
    code: "client_daily_limit",
    outcome: "rate_limited",
    retryAfterSeconds: Math.max(1, Math.ceil((nextPacificMidnight(deps.receivedAt) - deps.receivedAt) / 1000)),
  };
}
