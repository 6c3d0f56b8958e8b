import type { ConfigSnapshot } from "../config/config-snapshot";
import type { ModelConfig } from "../config/schemas";
import type { Env } from "../env";
import type { UpstreamFailure } from "../gemini/failure";
import { FAILURE_POLICY } from "../proxy/failure-policy";
import { NETWORK_SIDELINE_MS, SIDELINE_MS } from "../runtime/benches";
import type { SharedView } from "../runtime/isolate-view";
import type { CallTicket } from "../runtime/own-calls";
import type { IsolateRuntime } from "../runtime/runtime";
import { nextPacificMidnight } from "../util/pacific-day";
import { IMAGEN_NEEDS_PAID, loadFor, unavailability } from "./availability";
import type { DayCounter, GeminiKeyRecord, KeyState, ModelBlock } from "./types";

export type Pick =
  | { ok: true; key: GeminiKeyRecord; /** only sidelined keys were left */ lastResort?: true }
  | { ok: false; reason: "rate_limited"; retryAt: number; detail: string }
  | { ok: false; reason: "no_key"; detail: string };

export type WaitUntil = (promise: Promise<unknown>) => void;

const NO_KEY_CONFIGURED = "no Gemini key is configured";

/** A suspended (403) key is tried again after this long; a success then clears it. */
export const SUSPENDED_RECHECK_MS = 3_600_000;

/** Selection and bookkeeping over the isolate's view. One instance per proxied call. */
export class KeyPool {
  private readonly reservations = new Map<string, () => void>();

  constructor(
    private readonly runtime: IsolateRuntime,
    private readonly env: Env,
    private readonly waitUntil: WaitUntil,
    private readonly opened: SharedView,
  ) {}

  static async open(runtime: IsolateRuntime, env: Env, waitUntil: WaitUntil, now = Date.now()): Promise<KeyPool> {
    const view = await runtime.view.get(env, now);
    runtime.states.retryIfDue(env, waitUntil, now);
    return new KeyPool(runtime, env, waitUntil, view);
  }

  /** The isolate's view now: a refresh during this call replaces the one it opened with. */
  private get view(): SharedView {
    const current = this.runtime.view.peek();
    return current?.day === this.opened.day ? current : this.opened;
  }

  private get config(): ConfigSnapshot {
    return this.view.config;
  }

  /**
   * Picks a key that can serve `model` now, skipping `tried`. Among usable keys, the less
   * loaded of two random ones (power of two choices): even spread without a shared pointer.
   * Keys only sidelined after a 5xx are used when nothing else is left and `lastResort`
   * allows it: a blip at Google must not turn into seconds of refusals.
   */
  pick(model: ModelConfig, tried: ReadonlySet<string>, now = Date.now(), lastResort = true): Pick {
    const usable: GeminiKeyRecord[] = [];
    let sidelined: { key: GeminiKeyRecord; until: number } | undefined;
    let earliest = Infinity;
    let lastReason = NO_KEY_CONFIGURED;
    for (const key of this.view.keys) {
      if (tried.has(key.id)) continue;
      const blocked = this.blockOf(key, model, now);
      if (blocked) {
        // Why a paid key cannot serve Imagen says more than "not marked paid" of the others.
        if (blocked.reason !== IMAGEN_NEEDS_PAID || lastReason === NO_KEY_CONFIGURED) lastReason = blocked.reason;
        if (blocked.kind === "limited") earliest = Math.min(earliest, blocked.until);
        continue;
      }
      const benchedUntil = this.runtime.benches.sidelinedUntil(key.id, model.id, now);
      if (benchedUntil !== undefined) {
        if (!sidelined || benchedUntil < sidelined.until) sidelined = { key, until: benchedUntil };
        continue;
      }
      usable.push(key);
    }
    if (usable.length > 0) return { ok: true, key: this.lessLoaded(usable, model) };
    if (sidelined && lastResort) return { ok: true, key: sidelined.key, lastResort: true };
    if (sidelined) return { ok: false, reason: "rate_limited", retryAt: Math.min(earliest, sidelined.until), detail: "the keys left are sidelined after Google's 5xx" };
    if (earliest !== Infinity) return { ok: false, reason: "rate_limited", retryAt: earliest, detail: lastReason };
    return { ok: false, reason: "no_key", detail: lastReason };
  }

  /**
   * The one key a file or cached content lives under, if it can serve `model` now. Only this
   * key may serve the call, so a key sidelined after Google's 5xx is used all the same.
   */
  pickPinned(keyId: string, model: ModelConfig, now = Date.now()): Pick {
    const key = this.view.keys.find((k) => k.id === keyId);
    if (!key) return { ok: false, reason: "no_key", detail: "the key was removed from the pool" };
    const blocked = this.blockOf(key, model, now);
    if (!blocked) return { ok: true, key };
    return blocked.kind === "limited"
      ? { ok: false, reason: "rate_limited", retryAt: blocked.until, detail: blocked.reason }
      : { ok: false, reason: "no_key", detail: blocked.reason };
  }

  /** Marks an attempt under way on the key: its quotas and load count it until it ends. */
  reserve(keyId: string, modelId: string): () => void {
    const release = this.runtime.inFlight.reserve(keyId, modelId);
    this.reservations.set(`${keyId}\u0000${modelId}`, release);
    return release;
  }

  /** Ends a reservation without counting the call (a call Google does not charge). */
  release(keyId: string, modelId: string): void {
    this.reservations.get(`${keyId}\u0000${modelId}`)?.();
  }

  /** Google served the call: from now on the call's ticket counts it against the key (no KV write). */
  recordSuccess(keyId: string, modelId: string, ticket: CallTicket): void {
    ticket.charge(keyId, modelId);
    this.release(keyId, modelId);
  }

  /**
   * Applies a failure to the key as the failure policy says (src/proxy/failure-policy.ts).
   * Short holds stay in this isolate's memory; long states (exhausted, invalid, suspended)
   * are written to KV when they change.
   */
  recordFailure(keyId: string, modelId: string, failure: UpstreamFailure, now = Date.now()): void {
    const benches = this.runtime.benches;
    switch (FAILURE_POLICY[failure.kind].key) {
      case "none":
        return;
      case "cool":
        if (failure.kind === "rate_minute") {
          benches.cool(keyId, modelId, {
            until: now + Math.max(1_000, failure.retryAfterMs),
            reason: `per-minute rate limit${failure.quotaId ? ` (${failure.quotaId})` : ""}`,
          });
        }
        return;
      case "sideline":
        benches.sideline(keyId, modelId, now + SIDELINE_MS);
        return;
      case "sideline_briefly":
        benches.sideline(keyId, modelId, now + NETWORK_SIDELINE_MS);
        return;
      default: {
        const before = this.view.states.get(keyId);
        const after = nextState(before, modelId, failure, now);
        if (after !== undefined && after !== before) this.setState(keyId, after);
      }
    }
  }

  /** A success on a key whose suspension was being re-checked clears it. */
  recordRecovery(keyId: string, now = Date.now()): void {
    const state = this.view.states.get(keyId);
    if (state?.status !== "suspended") return;
    this.setState(keyId, { status: "active", since: now, models: state.models });
  }

  private setState(keyId: string, state: KeyState): void {
    this.view.states.set(keyId, state);
    this.runtime.states.changed(keyId, state, this.env, this.waitUntil);
  }

  /** Why the key cannot serve `model` now (its state, quotas, plan, or a cool-down in this isolate); null when it can. */
  private blockOf(key: GeminiKeyRecord, model: ModelConfig, now: number) {
    return (
      unavailability({
        key,
        state: this.view.states.get(key.id),
        counter: this.counterOf(key.id),
        model,
        modelsById: this.config.modelsById,
        settings: this.config.settings,
        now,
      }) ?? this.cooling(key.id, model.id, now)
    );
  }

  private cooling(keyId: string, modelId: string, now: number) {
    const cooling = this.runtime.benches.cooling(keyId, modelId, now);
    return cooling ? { kind: "limited" as const, until: cooling.until, reason: cooling.reason } : null;
  }

  private lessLoaded(usable: GeminiKeyRecord[], model: ModelConfig): GeminiKeyRecord {
    const a = usable[Math.floor(Math.random() * usable.length)]!;
    const b = usable[Math.floor(Math.random() * usable.length)]!;
    const load = (k: GeminiKeyRecord) => loadFor(this.counterOf(k.id), model, this.config.modelsById);
    return load(b) < load(a) ? b : a;
  }

  /** The key's calls today as quotas must see them: D1's counts, this isolate's own calls, attempts under way. */
  private counterOf(keyId: string): DayCounter {
    const view = this.view;
    const models: Record<string, number> = { ...view.counts.keys[keyId] };
    this.runtime.own.addTo(keyId, view.day, models);
    this.runtime.inFlight.addTo(keyId, models);
    let total = 0;
    for (const n of Object.values(models)) total += n;
    return { day: view.day, total, models };
  }
}

/**
 * The key's next long state after a failure: `before` itself when nothing changes (no write),
 * undefined when the failure is not one of the key's long states.
 */
export function nextState(
  before: KeyState | undefined,
  modelId: string,
  failure: UpstreamFailure,
  now: number,
): KeyState | undefined {
  switch (failure.kind) {
    case "rate_day":
      return withBlock(before, modelId, now, {
        state: "exhausted",
        until: nextPacificMidnight(now),
        reason: `daily quota exhausted at Google${failure.quotaId ? ` (${failure.quotaId})` : ""}`,
      });
    case "model_refused":
      return withBlock(before, modelId, now, {
        state: "refused",
        until: nextPacificMidnight(now),
        reason: `Google refuses ${modelId} on this key: ${failure.message.slice(0, 200)}`,
      });
    case "invalid_key":
      if (before?.status === "invalid") return before;
      return { status: "invalid", reason: failure.message.slice(0, 300), since: now, models: before?.models ?? {} };
    case "suspended":
      // While the suspension runs the key is not picked; a 403 from a stale view elsewhere changes nothing.
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
  // A running block that lasts as long stays: no write for the same news twice.
  if (before && current && current.until >= block.until) return before;
  const base: KeyState = before ?? { status: "active", since: now, models: {} };
  return { ...base, models: { ...base.models, [modelId]: block } };
}
