import type { Env } from "../env";
import { KeyStore, type KeyStates } from "../pool/key-store";
import type { KeyState } from "../pool/types";
import { bumpConfigVersion } from "../usage/ledger-reads";
import { addPlanUsage, noteLimitHit } from "../usage/plan-usage";

/** KV accepts one write per second to an entry. */
export const WRITE_SPACING_MS = 1_000;
/** After KV refused a write (e.g. over the free plan's 1,000 a day), try again this much later. */
export const RETRY_AFTER_REFUSAL_MS = 60_000;

/**
 * Writes the long key states this isolate changed (exhausted, invalid, suspended) to the
 * packed `states` entry: the changes of the same second go out in one write, then the config
 * version is bumped so other isolates re-read KV at their next sync. A refused write keeps
 * the change in this isolate's view and is retried at a later call.
 */
export class StateWriter {
  /** Changed states not yet in KV (null: the key has no state any more). */
  private readonly dirty = new Map<string, KeyState | null>();
  private writing: Promise<void> | undefined;
  private lastWriteAt = -Infinity;
  private refusedAt = -Infinity;

  changed(keyId: string, state: KeyState | null, env: Env, waitUntil: (promise: Promise<unknown>) => void): void {
    this.dirty.set(keyId, state);
    this.schedule(env, waitUntil, Date.now());
  }

  /** States freshly read from KV, with this isolate's changes that are not there yet. */
  overlay(states: KeyStates): KeyStates {
    for (const [keyId, state] of this.dirty) {
      if (state) states.set(keyId, state);
      else states.delete(keyId);
    }
    return states;
  }

  /** Retries changes a refused write left behind, once the retry time has come. */
  retryIfDue(env: Env, waitUntil: (promise: Promise<unknown>) => void, now = Date.now()): void {
    if (this.dirty.size > 0 && now - this.refusedAt >= RETRY_AFTER_REFUSAL_MS) this.schedule(env, waitUntil, now);
  }

  get pending(): number {
    return this.dirty.size;
  }

  clear(): void {
    this.dirty.clear();
    this.refusedAt = -Infinity;
    this.lastWriteAt = -Infinity;
  }

  private schedule(env: Env, waitUntil: (promise: Promise<unknown>) => void, now: number): void {
    if (this.writing || now - this.refusedAt < RETRY_AFTER_REFUSAL_MS) return;
    const wait = Math.max(0, this.lastWriteAt + WRITE_SPACING_MS - now);
    this.writing = (async () => {
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await this.write(env);
    })().finally(() => {
      this.writing = undefined;
    });
    waitUntil(this.writing);
  }

  private async write(env: Env): Promise<void> {
    const changes = new Map(this.dirty);
    this.dirty.clear();
    if (changes.size === 0) return;
    const now = Date.now();
    this.lastWriteAt = now;
    try {
      await new KeyStore(env.GEMINI_KEYS_KV).updateStates((stored) => {
        for (const [keyId, state] of changes) {
          if (state) stored.set(keyId, state);
          else stored.delete(keyId);
        }
        return true;
      });
    } catch (error) {
      // A newer change of the same key made meanwhile wins over the refused one.
      for (const [keyId, state] of changes) if (!this.dirty.has(keyId)) this.dirty.set(keyId, state);
      this.refusedAt = now;
      console.warn(`writing key states to KV failed, keeping them in this isolate: ${String(error)}`);
      await noteLimitHit(env.DB, now, "kv_writes", String(error)).catch(() => {});
      return;
    }
    await Promise.all([bumpConfigVersion(env.DB, now), addPlanUsage(env.DB, now, { kv_writes: 1 })]).catch((error: unknown) =>
      console.warn(`after a key-state write: ${String(error)}`),
    );
  }
}
