import { ZERO_USAGE } from "../../src/openai/usage";
import type { CallRecord } from "../../src/usage/record";
import { pacificDay } from "../../src/util/pacific-day";

/** One served chat call as the ledger keeps it, now unless told otherwise; override what a test is about. */
export function ledgerCall(overrides: Partial<CallRecord> = {}): CallRecord {
  const ts = overrides.ts ?? Date.now();
  return {
    ts,
    day: pacificDay(ts),
    clientKeyId: "client-1",
    geminiKeyId: "key-1",
    model: "gemini-2.5-flash",
    category: "flash",
    endpoint: "chat",
    streamed: false,
    status: 200,
    outcome: "ok",
    served: true,
    attempts: 1,
    tokens: ZERO_USAGE,
    latencyMs: 100,
    ttfbMs: null,
    errorCode: null,
    ...overrides,
  };
}
