/**
 * "Test all": calls the per-key test route for every key, at most two in flight, and can
 * be cancelled. Reports progress after each key.
 */
import { api } from "../lib/api";
import type { KeyTestResult } from "../lib/types";

const MAX_IN_FLIGHT = 2;

export interface TestAllProgress {
  done: number;
  total: number;
}

export type TestOutcome = KeyTestResult | { error: string };

export async function testAllKeys(
  ids: string[],
  signal: AbortSignal,
  onResult: (id: string, outcome: TestOutcome, progress: TestAllProgress) => void,
): Promise<void> {
  const queue = [...ids];
  let done = 0;
  async function worker(): Promise<void> {
    for (let id = queue.shift(); id !== undefined && !signal.aborted; id = queue.shift()) {
      let outcome: TestOutcome;
      try {
        outcome = await api.post<KeyTestResult>(`/api/admin/gemini-keys/${encodeURIComponent(id)}/test`, {}, signal);
      } catch (error) {
        if (signal.aborted) return;
        outcome = { error: error instanceof Error ? error.message : String(error) };
      }
      done += 1;
      onResult(id, outcome, { done, total: ids.length });
    }
  }
  await Promise.all(Array.from({ length: Math.min(MAX_IN_FLIGHT, ids.length) }, worker));
}
