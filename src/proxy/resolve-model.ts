import type { ConfigSnapshot } from "../config/config-snapshot";
import { findAlias } from "../config/model-aliases";
import type { ModelConfig, WorkerKeyRecord } from "../config/schemas";
import { nextPacificMidnight, pacificDay } from "../util/pacific-day";
import type { CallFailure } from "./failure-policy";
import type { CallDeps } from "./front-door";

/** Strips the "models/" prefix Google-style clients send. */
export function bareModelId(requested: string): string {
  return requested.startsWith("models/") ? requested.slice("models/".length) : requested;
}

/** What a requested model name resolved to. */
export interface ModelChoice {
  /** The configured model this client key may use, or null (answered 404 model_not_found). */
  model: ModelConfig | null;
  /** The Gemini model id the name stands for (the requested name itself when no alias applies). */
  targetId: string;
  /** The name the client asked for when an alias turned it into another one, else null. */
  requestedAs: string | null;
}

/**
 * Resolves a requested name: a configured model id first, then an exact alias, then the most
 * specific matching alias pattern (src/config/model-aliases.ts). The client key's allow-list
 * applies to the target Gemini model. An alias whose target is no longer configured finds nothing.
 */
export function resolveModel(config: ConfigSnapshot, clientKey: WorkerKeyRecord, requested: string): ModelChoice {
  const alias = config.modelsById.has(requested) ? null : findAlias(config.aliases, requested);
  const targetId = alias ? alias.model : requested;
  const model = config.modelsById.get(targetId) ?? null;
  const allowed = clientKey.options.allowedModels;
  const permitted = model !== null && (allowed === null || allowed.includes(targetId));
  return { model: permitted ? model : null, targetId, requestedAs: alias ? requested : null };
}

/** The configured model this client key may use under the requested name (an id or an alias), or null. */
export function allowedModel(config: ConfigSnapshot, clientKey: WorkerKeyRecord, requested: string): ModelConfig | null {
  return resolveModel(config, clientKey, requested).model;
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
