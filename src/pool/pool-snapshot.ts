import { KeyStore } from "./key-store";
import { pacificDay } from "./pacific-day";
import type { DayCounter, GeminiKeyRecord, KeyState } from "./types";

/**
 * This isolate's view of GEMINI_KEYS_KV: keys, their states and today's counters, read
 * (one get and one bulk get) at most every POOL_TTL_MS. Calls served here update it in
 * place, so rotation in this isolate sees its own traffic at once; other isolates' traffic
 * arrives on refresh.
 */
export interface PoolSnapshot {
  day: string;
  keys: GeminiKeyRecord[];
  states: Map<string, KeyState>;
  counters: Map<string, DayCounter>;
  /** When the admin last reset today's quotas by hand, if they did. */
  resetAt: number | null;
  loadedAt: number;
}

export const POOL_TTL_MS = 4_000;

let cached: PoolSnapshot | undefined;
let loading: Promise<PoolSnapshot> | undefined;

export async function loadPoolSnapshot(kv: KVNamespace, now = Date.now()): Promise<PoolSnapshot> {
  if (cached && now - cached.loadedAt < POOL_TTL_MS && cached.day === pacificDay(now)) return cached;
  loading ??= readSnapshot(new KeyStore(kv), now)
    .catch((error: unknown) => keepServing(error, now))
    .finally(() => {
      loading = undefined;
    });
  return loading;
}

/**
 * A failed refresh (KV unavailable, over its limits) must not fail the calls: the last
 * snapshot of the same day serves for another TTL. Without one, the error stands.
 */
function keepServing(error: unknown, now: number): PoolSnapshot {
  if (!cached || cached.day !== pacificDay(now)) throw error;
  console.warn(`pool snapshot refresh failed, serving the previous one: ${String(error)}`);
  cached.loadedAt = now;
  return cached;
}

/**
 * The snapshot this isolate holds now for `day`. A call that outlives a refresh (a Gemini
 * call can take many seconds) records into this one, not the one it started with, so its
 * count is neither lost here nor overwritten in KV by a lower one.
 */
export function currentPoolSnapshot(day: string): PoolSnapshot | undefined {
  return cached?.day === day ? cached : undefined;
}

/** Called after admin writes and resets so this isolate re-reads at once. */
export function invalidatePoolSnapshot(): void {
  cached = undefined;
}

async function readSnapshot(store: KeyStore, now: number): Promise<PoolSnapshot> {
  const day = pacificDay(now);
  const keys = await store.listKeys();
  const { states, counters, resetAt } = await store.readDay(day, keys.map((k) => k.id));
  const previous = cached;
  // After a reset by hand (in any isolate), counts held here from before it are void.
  if (previous?.day === day && previous.resetAt === resetAt) keepLocalCounts(counters, previous.counters);
  cached = { day, keys, states, counters, resetAt, loadedAt: now };
  return cached;
}

/** A counter this isolate has advanced but not yet written must not go backwards on refresh. */
function keepLocalCounts(fresh: Map<string, DayCounter>, local: Map<string, DayCounter>): void {
  for (const [keyId, mine] of local) {
    const theirs = fresh.get(keyId);
    if (!theirs) {
      fresh.set(keyId, mine);
      continue;
    }
    for (const [model, n] of Object.entries(mine.models)) {
      if (n > (theirs.models[model] ?? 0)) theirs.models[model] = n;
    }
    theirs.total = Object.values(theirs.models).reduce((a, b) => a + b, 0);
  }
}
