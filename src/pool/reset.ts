import { writeQuotaReset } from "../usage/ledger-reads";
import { pacificDay } from "../util/pacific-day";
import { countDay } from "./count-day";
import { KeyStore } from "./key-store";

/**
 * The daily reset: every per-model block (exhausted) is lifted, in one write of the packed
 * states. Blocks carry their own expiry, so this only makes recovery immediate; a missed run
 * leaves nothing stuck. Invalid and suspended keys keep their status: a new day does not make
 * a bad key good. Answers the KV writes made (0 or 1).
 */
export async function liftModelBlocks(kv: KVNamespace): Promise<number> {
  const written = await new KeyStore(kv).updateStates((states) => {
    let changed = false;
    for (const [keyId, state] of states) {
      if (Object.keys(state.models).length === 0) continue;
      states.set(keyId, { ...state, models: {} });
      changed = true;
    }
    return changed;
  });
  return written ? 1 : 0;
}

/**
 * "Reset quotas now" (admin): the daily reset plus today's key counts back to zero. D1 keeps
 * the reset's ledger id, so every isolate (at its next sync) and the cron count only the rows
 * after it; the day's counts in KV are rewritten at once. Answers the KV writes made.
 */
export async function resetQuotasNow(kv: KVNamespace, database: D1Database, now = Date.now()): Promise<number> {
  const day = pacificDay(now);
  await writeQuotaReset(database, day, now);
  const counts = await countDay(database, day);
  await new KeyStore(kv).writeCounts(counts);
  return 1 + (await liftModelBlocks(kv));
}
