import type { ConfigSnapshot } from "../config/config-cache";
import type { ModelConfig } from "../config/schemas";
import type { UpstreamFailure } from "../gemini/failure";
import { loadFor, unavailability } from "./availability";
import { reserve, withCallsUnderWay } from "./in-flight";
import { KeyStore } from "./key-store";
import { counterEntry, stateEntry } from "./kv-layout";
import { nextPacificMidnight } from "./pacific-day";
import { currentPoolSnapshot, loadPoolSnapshot, type PoolSnapshot } from "./pool-snapshot";
import { SIDELINE_MS, sideline, sidelineUntil } from "./sideline";
import { spacedWrite } from "./spaced-write";
import type { GeminiKeyRecord, KeyState, ModelBlock } from "./types";

export type Pick =
  | { ok: true; key: GeminiKeyRecord }
  | { ok: false; reason: "rate_limited"; retryAt: number; detail: string }
  | { ok: false; reason: "no_key"; detail: string };

export type WaitUntil = (promise: Promise<unknown>) => void;

/** A suspended (403) key is tried again after this long; a success then clears it. */
export const SUSPENDED_RECHECK_MS = 3_600_000;
const NETWORK_SIDELINE_MS = 5_000;
/**
 * A repeated 429 that moves a block's end by less than this is no change worth a KV write
 * (concurrent calls on a stale snapshot each bring one).
 */
const BLOCK_SLACK_MS = 5_000;

/** Selection and bookkeeping over the pool snapshot. One instance per proxied call. */
export class KeyPool {
  private readonly reservations = new Map<string, () => void>();

  private constructor(
    private readonly store: KeyStore,
    private readonly opened: PoolSnapshot,
    private readonly config: ConfigSnapshot,
  ) {}

  static async open(kv: KVNamespace, config: ConfigSnapshot, now = Date.now()): Promise<KeyPool> {
    return new KeyPool(new KeyStore(kv), await loadPoolSnapshot(kv, now), config);
  }

  get day(): string {
    return this.opened.day;
  }

  /** The isolate's snapshot now: a refresh during this call replaces the one it opened with. */
  private get snapshot(): PoolSnapshot {
    return currentPoolSnapshot(this.opened.day) ?? this.opened;
  }

  /**
   * Picks a key that can serve `model` now, skipping `tried`. Among usable keys, the less
   * loaded of two random ones (power of two choices): even spread without a shared pointer.
   * Keys only sidelined after a 5xx are used when nothing else is left: a blip at Google
   * must not turn into seconds of refusals.
   */
  pick(model: ModelConfig, tried: ReadonlySet<string>, now = Date.now()): Pick {
    const usable: GeminiKeyRecord[] = [];
    let sidelined: { key: GeminiKeyRecord; until: number } | undefined;
    let earliest = Infinity;
    let lastReason = "no Gemini key is configured";
    for (const key of this.snapshot.keys) {
      if (tried.has(key.id)) continue;
      const blocked = unavailability({
        key,
        state: this.snapshot.states.get(key.id),
        counter: this.counterOf(key.id),
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
        if (!sidelined || benchedUntil < sidelined.until) sidelined = { key, until: benchedUntil };
        continue;
      }
      usable.push(key);
    }
    if (usable.length > 0) return { ok: true, key: this.lessLoaded(usable, model) };
    if (sidelined) return { ok: true, key: sidelined.key };
    if (earliest !== Infinity) return { ok: false, reason: "rate_limited", retryAt: earliest, detail: lastReason };
    return { ok: false, reason: "no_key", detail: lastReason };
  }

  /**
   * Marks this call as under way on the key until the returned release is called or the
   * call is counted by recordSuccess: until then the key's quotas and load count it.
   */
  reserve(keyId: string, modelId: string): () => void {
    const release = reserve(keyId, modelId);
    this.reservations.set(`${keyId}\u0000${modelId}`, release);
    return release;
  }

  /** Ends a reservation without counting the call (a call Google does not charge). */
  release(keyId: string, modelId: string): void {
    this.reservations.get(`${keyId}\u0000${modelId}`)?.();
  }

  /** Counts a served call against the key's day counter (ending its reservation); the KV write goes to waitUntil. */
  recordSuccess(keyId: string, modelId: string, waitUntil: WaitUntil): void {
    const { counters, day } = this.snapshot;
    const counter = counters.get(keyId) ?? { day, total: 0, models: {} };
    counter.models[modelId] = (counter.models[modelId] ?? 0) + 1;
    counter.total += 1;
    counters.set(keyId, counter);
    this.reservations.get(`${keyId}\u0000${modelId}`)?.();
    waitUntil(
      spacedWrite(counterEntry(day, keyId), async () => {
        const latest = this.snapshot.counters.get(keyId);
        if (latest) await this.store.writeCounter(keyId, { ...latest, models: { ...latest.models } });
      }),
    );
  }

  /** Applies a failure to the key's state. Writes KV only when the state really changes. */
  recordFailure(keyId: string, modelId: string, failure: UpstreamFailure, waitUntil: WaitUntil, now = Date.now()): void {
    const before = this.snapshot.states.get(keyId);
    const after = nextState(before, modelId, failure, now);
    if (after === undefined) {
      benchBriefly(keyId, modelId, failure, now);
      return;
    }
    if (after === before) return;
    this.snapshot.states.set(keyId, after);
    waitUntil(this.writeState(keyId));
  }

  /** A success on a key whose suspension was being re-checked clears it. */
  recordRecovery(keyId: string, waitUntil: WaitUntil, now = Date.now()): void {
    const state = this.snapshot.states.get(keyId);
    if (state?.status !== "suspended") return;
    this.snapshot.states.set(keyId, { status: "active", since: now, models: state.models });
    waitUntil(this.writeState(keyId));
  }

  private writeState(keyId: string): Promise<void> {
    return spacedWrite(stateEntry(keyId), async () => {
      const latest = this.snapshot.states.get(keyId);
      if (latest) await this.store.writeState(keyId, latest);
    });
  }

  private lessLoaded(usable: GeminiKeyRecord[], model: ModelConfig): GeminiKeyRecord {
    const a = usable[Math.floor(Math.random() * usable.length)]!;
    const b = usable[Math.floor(Math.random() * usable.length)]!;
    const load = (k: GeminiKeyRecord) => loadFor(this.counterOf(k.id), model, this.config.modelsById);
    return load(b) < load(a) ? b : a;
  }

  private counterOf(keyId: string) {
    return withCallsUnderWay(keyId, this.snapshot.day, this.snapshot.counters.get(keyId));
  }
}

/**
 * The key's next state after a failure: `before` itself when nothing changes (no write),
 * undefined when the failure is not the key's doing (Google's 5xx, network, empty reply,
 * the client's own request).
 */
export function nextState(
  before: KeyState | undefined,
  modelId: string,
  failure: UpstreamFailure,
  now: number,
): KeyState | undefined {
  switch (failure.kind) {
    case "rate_minute":
      return withBlock(before, modelId, now, {
        state: "cooling",
        until: now + Math.max(1_000, failure.retryAfterMs),
        reason: `per-minute rate limit${failure.quotaId ? ` (${failure.quotaId})` : ""}`,
      });
    case "rate_day":
      return withBlock(before, modelId, now, {
        state: "exhausted",
        until: nextPacificMidnight(now),
        reason: `daily quota exhausted at Google${failure.quotaId ? ` (${failure.quotaId})` : ""}`,
      });
    case "invalid_key":
      if (before?.status === "invalid") return before;
      return { status: "invalid", reason: failure.message.slice(0, 300), since: now, models: before?.models ?? {} };
    case "suspended":
      // While the suspension runs the key is not picked; a 403 from a stale snapshot elsewhere changes nothing.
      if (before?.status === "suspended" && (before.until ?? Infinity) > now) return before;
      return {
        status: "suspended",
        reason: failure.message.slice(0, 300),
        since: before?.status === "suspended" ? before.since : now,
        until: now + SUSPENDED_RECHECK_MS,
        models: before?.models ?? {},
      };
    default:
      return undefined;
  }
}

function withBlock(before: KeyState | undefined, modelId: string, now: number, block: ModelBlock): KeyState {
  const current = before?.models[modelId];
  // A running block that already lasts (about) as long stays: no write, and an exhausted
  // key is never shortened to cooling by a per-minute 429.
  if (before && current && current.until > now && current.until >= block.until - BLOCK_SLACK_MS) return before;
  const base: KeyState = before ?? { status: "active", since: now, models: {} };
  return { ...base, models: { ...base.models, [modelId]: block } };
}

function benchBriefly(keyId: string, modelId: string, failure: UpstreamFailure, now: number): void {
  if (failure.kind === "overloaded" || failure.kind === "server") sideline(keyId, modelId, now + SIDELINE_MS);
  if (failure.kind === "network" || failure.kind === "timeout") sideline(keyId, modelId, now + NETWORK_SIDELINE_MS);
}
