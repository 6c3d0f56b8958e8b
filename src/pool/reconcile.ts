import { KeyStore } from "./key-store";
import type { DayCounter } from "./types";

/** Served calls per key and model on one day, as the ledger knows them. */
export type LedgerCounts = Map<string, Record<string, number>>;

/**
 * Makes the KV day counters equal what the D1 ledger counted, writing only the counters
 * that differ (KV writes are the scarce resource). Lost updates from concurrent isolates
 * heal here. Returns the number of counters written.
 */
export async function reconcileCounters(kv: KVNamespace, day: string, ledger: LedgerCounts): Promise<number> {
  const store = new KeyStore(kv);
  const keyIds = (await store.listKeys()).map((k) => k.id);
  const current = await store.readCounters(day, keyIds);
  let written = 0;
  for (const keyId of keyIds) {
    const models = ledger.get(keyId) ?? {};
    const expected: DayCounter = { day, total: sumOf(models), models };
    const stored = current.get(keyId);
    if (stored ? sameCounts(stored.models, models) : expected.total === 0) continue;
    try {
      await store.writeCounter(keyId, expected);
      written += 1;
    } catch (error) {
      // Over KV's limits, or written this very second by a proxy: the next run retries.
      console.warn(`reconciling count:${day}:${keyId} failed: ${String(error)}`);
    }
  }
  return written;
}

function sumOf(models: Record<string, number>): number {
  return Object.values(models).reduce((a, b) => a + b, 0);
}

function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) if ((a[name] ?? 0) !== (b[name] ?? 0)) return false;
  return true;
}
