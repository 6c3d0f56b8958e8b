import type { Context } from "hono";
import { pacificDay } from "../pool/pacific-day";
import { ZERO_USAGE, type UsageFigures } from "../openai/usage";
import { recordCall } from "../usage/record";
import type { Outcome } from "../usage/schema";
import type { ProxyEnv } from "./client-auth";

/**
 * Collects what the ledger keeps about one proxied call and hands the D1 batch to
 * waitUntil when the call ends (after the last byte, for streams).
 */
export class CallLog {
  attempts = 0;
  geminiKeyId: string | null = null;
  /** Set once Google accepted the call (the key was charged). */
  served = false;
  tokens: UsageFigures = ZERO_USAGE;
  private firstByteAt: number | null = null;
  private finished = false;

  constructor(
    private readonly c: Context<ProxyEnv>,
    private readonly call: { endpoint: string; model: string; category: string; streamed: boolean },
  ) {}

  markFirstByte(): void {
    this.firstByteAt ??= Date.now();
  }

  finish(status: number, outcome: Outcome, errorCode: string | null = null): void {
    if (this.finished) return;
    this.finished = true;
    const receivedAt = this.c.get("receivedAt");
    const now = Date.now();
    const write = recordCall(this.c.env.DB, {
      ts: receivedAt,
      day: pacificDay(receivedAt),
      clientKeyId: this.c.get("clientKey").id,
      geminiKeyId: this.geminiKeyId,
      ...this.call,
      status,
      outcome,
      served: this.served,
      attempts: this.attempts,
      tokens: this.tokens,
      latencyMs: now - receivedAt,
      ttfbMs: this.firstByteAt === null ? null : this.firstByteAt - receivedAt,
      errorCode,
    }).catch((error: unknown) => console.error(`usage ledger write failed: ${String(error)}`));
    this.c.executionCtx.waitUntil(write);
  }
}
