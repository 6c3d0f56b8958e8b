import type { ConfigSnapshot } from "../config/config-cache";
import type { ModelConfig } from "../config/schemas";
import type { UpstreamFailure } from "../gemini/failure";
import { loadFor, unavailability } from "./availability";
import { flushCounter } from "./counter-flush";
import { KeyStore } from "./key-store";
import { nextPacificMidnight } from "./pacific-day";
import { loadPoolSnapshot, type PoolSnapshot } from "./pool-snapshot";
import { SIDELINE_MS, sideline, sidelineUntil } from "./sideline";
import type { GeminiKeyRecord, KeyState } from "./types";

export type Pick =
  | { ok: true; key: GeminiKeyRecord }
  | { ok: false; reason: "rate_limited"; retryAt: number; detail: string }
  | { ok: false; reason: "no_key"; detail: string };

export type WaitUntil = (promise: Promise<unknown>) => void;

const SUSPENDED_RECHECK_MS = 3_600_000;
const NETWORK_SIDELINE_MS = 5_000;

/** Selection and bookkeeping over the pool snapshot. One instance per proxied call. */
export class KeyPool {
  private constructor(
    private readonly store: KeyStore,
    private readonly snapshot: PoolSnapshot,
    private readonly config: ConfigSnapshot,
  ) {}

  static async open(kv: KVNamespace, config: ConfigSnapshot, now = Date.now()): Promise<KeyPool> {
    return new KeyPool(new KeyStore(kv), await loadPoolSnapshot(kv, now), config);
  }

  get day(): string {
    return this.snapshot.day;
  }

  /**
   * Picks a key that can serve `model` now, skipping `tried`. Among usable keys, the less
   * loaded of two random ones (power of two choices): even spread without a shared pointer.
   */
  pick(model: ModelConfig, tried: ReadonlySet<string>, now = Date.now()): Pick {
    const usable: GeminiKeyRecord[] = [];
    let earliest = Infinity;
    let lastReason = "no Gemini key is configured";
    for (const key of this.snapshot.keys) {
      if (tried.has(key.id)) continue;
      const blocked = unavailability({
        key,
        state: this.snapshot.states.get(key.id),
        counter: this.snapshot.counters.get(key.id),
        model,
        modelsById: this.config.modelsById,
        settings: this.config.settings,
        now,
      });
      if (blocked) {
        lastReason = blocked.reason;
        if (blocked.kind === "limited") earliest = Math.min(earliest, blocked.until);
        continue;
      }
      const benchedUntil = sidelineUntil(key.id, model.id, now);
      if (benchedUntil !== undefined) {
        earliest = Math.min(earliest, benchedUntil);
        lastReason = "briefly sidelined after an upstream error";
        continue;
      }
      usable.push(key);
    }
    if (usable.length > 0) return { ok: true, key: this.lessLoaded(usable, model) };
    if (earliest !== Infinity) return { ok: false, reason: "rate_limited", retryAt: earliest, detail: lastReason };
    return { ok: false, reason: "no_key", detail: lastReason };
  }

  /** Counts a served call against the key's day counter; the KV write goes to waitUntil. */
  recordSuccess(keyId: string, modelId: string, waitUntil: WaitUntil): void {
    const counters = this.snapshot.counters;
    const counter = counters.get(keyId) ?? { day: this.snapshot.day, total: 0, models: {} };
    counter.models[modelId] = (counter.models[modelId] ?? 0) + 1;
    counter.total += 1;
    counters.set(keyId, counter);
    waitUntil(flushCounter(this.store, keyId, () => counters.get(keyId)));
  }

  /** Applies a failure to the key's state. Writes KV only when the state really changes. */
  recordFailure(keyId: string, modelId: string, failure: UpstreamFailure, waitUntil: WaitUntil, now = Date.now()): void {
    const before = this.snapshot.states.get(keyId);
    const after = nextState(before, modelId, failure, now);
    if (after === undefined) {
      benchBriefly(keyId, modelId, failure, now);
      return;
    }
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    this.snapshot.states.set(keyId, after);
    waitUntil(
      this.store.writeState(keyId, after).catch((error: unknown) => {
        console.warn(`state write for key ${keyId} failed: ${String(error)}`);
      }),
    );
  }

  /** A success on a key whose suspension was being re-checked clears it. */
  recordRecovery(keyId: string, waitUntil: WaitUntil): void {
    const state = this.snapshot.states.get(keyId);
    if (state?.status !== "suspended") return;
    const healed: KeyState = { status: "active", since: Date.now(), models: state.models };
    this.snapshot.states.set(keyId, healed);
    waitUntil(this.store.writeState(keyId, healed).catch(() => undefined));
  }

  private lessLoaded(usable: GeminiKeyRecord[], model: ModelConfig): GeminiKeyRecord {
    const a = usable[Math.floor(Math.random() * usable.length)]!;
    const b = usable[Math.floor(Math.random() * usable.length)]!;
    const load = (k: GeminiKeyRecord) => loadFor(this.snapshot.counters.get(k.id), model, this.config.modelsById);
    return load(b) < load(a) ? b : a;
  }
}

/** The key's next state after a failure, or undefined when the failure is not the key's doing. */
export function nextState(
  before: KeyState | undefined,
  modelId: string,
  failure: UpstreamFailure,
  now: number,
): KeyState | undefined {
  const base: KeyState = before
    ? { ...before, models: { ...before.models } }
    : { status: "active", since: now, models: {} };
  switch (failure.kind) {
    case "rate_minute":
      base.models[modelId] = {
        state: "cooling",
        until: now + Math.max(1_000, failure.retryAfterMs),
        reason: `per-minute rate limit${failure.quotaId ? ` (${failure.quotaId})` : ""}`,
      };
      return base;
    case "rate_day":
      base.models[modelId] = {
        state: "exhausted",
        until: nextPacificMidnight(now),
        reason: `daily quota exhausted at Google${failure.quotaId ? ` (${failure.quotaId})` : ""}`,
      };
      return base;
    case "invalid_key":
      if (before?.status === "invalid") return before;
      return { status: "invalid", reason: failure.message.slice(0, 300), since: now, models: base.models };
    case "suspended":
      return {
        status: "suspended",
        reason: failure.message.slice(0, 300),
        since: before?.status === "suspended" ? before.since : now,
        until: now + SUSPENDED_RECHECK_MS,
        models: base.models,
      };
    default:
      return undefined;
  }
}

function benchBriefly(keyId: string, modelId: string, failure: UpstreamFailure, now: number): void {
  if (failure.kind === "overloaded" || failure.kind === "server") sideline(keyId, modelId, now + SIDELINE_MS);
  if (failure.kind === "network" || failure.kind === "timeout") sideline(keyId, modelId, now + NETWORK_SIDELINE_MS);
}
