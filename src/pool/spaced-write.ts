// KV accepts one write per second to the same entry. Writes of one entry from this isolate
// are spaced: the first goes out at once; later ones within the second wait and are folded
// into one write that carries the value current when it goes out. So a call costs at most
// one KV write, and a burst of calls on one key costs two.

export const WRITE_SPACING_MS = 1_000;

interface QueuedWrite {
  write: () => Promise<void>;
  done: Promise<void>;
}

const lastWriteAt = new Map<string, number>();
const queued = new Map<string, QueuedWrite>();

/**
 * Writes `entry` now, or once the spacing allows. `write` must produce the latest value
 * when called; a later call's `write` replaces a queued one. Failures are logged, not
 * thrown: counters heal from the D1 ledger, states are re-learned from Google's next answer.
 */
export function spacedWrite(entry: string, write: () => Promise<void>, now = Date.now()): Promise<void> {
  const waiting = queued.get(entry);
  if (waiting) {
    waiting.write = write;
    return waiting.done;
  }
  const wait = Math.max(0, (lastWriteAt.get(entry) ?? -Infinity) + WRITE_SPACING_MS - now);
  lastWriteAt.set(entry, now + wait);
  if (wait === 0) return run(entry, write);
  const item: QueuedWrite = { write, done: Promise.resolve() };
  item.done = (async () => {
    await new Promise((resolve) => setTimeout(resolve, wait));
    queued.delete(entry);
    lastWriteAt.set(entry, Date.now());
    await run(entry, item.write);
  })();
  queued.set(entry, item);
  return item.done;
}

async function run(entry: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    console.warn(`KV write of ${entry} failed: ${String(error)}`);
  }
}
