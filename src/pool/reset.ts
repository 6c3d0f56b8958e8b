import { KeyStore } from "./key-store";
import { pacificDay } from "./pacific-day";
import { invalidatePoolSnapshot } from "./pool-snapshot";
import { clearSidelines } from "./sideline";
import type { KeyState } from "./types";

/**
 * The daily reset: every per-model block (cooling, exhausted) is lifted. Blocks carry their
 * own expiry, so this only makes recovery immediate; a missed run leaves nothing stuck.
 * Invalid and suspended keys keep their status: a new day does not make a bad key good.
 * Returns how many key states were rewritten.
 */
export async function liftModelBlocks(kv: KVNamespace): Promise<number> {
  const store = new KeyStore(kv);
  const keys = await store.listKeys();
  const states = await store.readStates(keys.map((k) => k.id));
  let rewritten = 0;
  for (const [keyId, state] of states) {
    if (Object.keys(state.models).length === 0) continue;
    const cleared: KeyState = { ...state, models: {} };
    try {
      await store.writeState(keyId, cleared);
      rewritten += 1;
    } catch (error) {
      // The block still expires by itself at its own `until`.
      console.warn(`lifting the blocks of key ${keyId} failed: ${String(error)}`);
    }
  }
  clearSidelines();
  invalidatePoolSnapshot();
  return rewritten;
}

/**
 * "Reset quotas now" (admin): the daily reset plus today's counters back to zero. A marker
 * tells reconciliation to count only the ledger rows after this moment, so the zeroed
 * counters are not restored from the day's roll-up.
 */
export async function resetQuotasNow(kv: KVNamespace, now = Date.now()): Promise<void> {
  const store = new KeyStore(kv);
  const day = pacificDay(now);
  await store.writeResetMarker(day, now);
  const keys = await store.listKeys();
  const counters = await store.readCounters(day, keys.map((k) => k.id));
  for (const keyId of counters.keys()) await store.deleteCounter(day, keyId);
  await liftModelBlocks(kv);
}
