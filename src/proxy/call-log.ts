import type { Context } from "hono";
import { pacificDay } from "../util/pacific-day";
import { ZERO_USAGE, type UsageFigures } from "../openai/usage";
import type { CallTicket } from "../runtime/own-calls";
import type { Outcome } from "../usage/schema";
import type { ProxyEnv } from "./client-auth";

/**
 * Collects what the ledger keeps about one proxied call and hands its one D1 row to
 * waitUntil when the call ends (after the last byte, for streams).
 */
export class CallLog {
  attempts = 0;
  geminiKeyId: string | null = null;
  /** Set once Google accepted the call (the key was charged). */
  served = false;
  tokens: UsageFigures = ZERO_USAGE;
  /** Counts this call for its client (and, once served, its key) in this isolate until D1 holds its row. */
  readonly ticket: CallTicket;
  private firstByteAt: number | null = null;
  private finished = false;

  constructor(
    private readonly c: Context<ProxyEnv>,
    private readonly call: { endpoint: string; model: string; category: string; streamed: boolean },
  ) {
    this.ticket = c.get("runtime").own.open(pacificDay(c.get("receivedAt")), c.get("clientKey").id);
    c.set("callLog", this);
  }

  get isFinished(): boolean {
    return this.finished;
  }

  markFirstByte(): void {
    this.firstByteAt ??= Date.now();
  }

  finish(status: number, outcome: Outcome, errorCode: string | null = null): void {
    if (this.finished) return;
    this.finished = true;
    const receivedAt = this.c.get("receivedAt");
    const now = Date.now();
    const write = this.c.get("runtime").ledger.record(this.c.env, {
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
    }, this.ticket);
    this.c.executionCtx.waitUntil(write);
  }
}
