import type { KeyStore } from "./key-store";
import type { DayCounter } from "./types";

// KV allows one write per second to the same entry. Writes of one key's counter from this
// isolate are coalesced: the first goes out at once, later ones within the second wait and
// carry the latest value. So a call costs at most one KV write, and bursts cost fewer.

const WRITE_SPACING_MS = 1_000;
const lastWriteAt = new Map<string, number>();
const pending = new Map<string, Promise<void>>();

export function flushCounter(
  store: KeyStore,
  keyId: string,
  latest: () => DayCounter | undefined,
  now = Date.now(),
): Promise<void> {
  const queued = pending.get(keyId);
  if (queued) return queued;
  const wait = Math.max(0, (lastWriteAt.get(keyId) ?? 0) + WRITE_SPACING_MS - now);
  const write = (async () => {
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.delete(keyId);
    lastWriteAt.set(keyId, Date.now());
    const counter = latest();
    if (!counter) return;
    try {
      await store.writeCounter(keyId, { ...counter, models: { ...counter.models } });
    } catch (error) {
      // Over KV's write limits: the ledger still has the call and reconciliation heals the count.
      console.warn(`counter write for key ${keyId} failed: ${String(error)}`);
    }
  })();
  pending.set(keyId, write);
  return write;
}
