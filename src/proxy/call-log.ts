import { ZERO_USAGE, type UsageFigures } from "../openai/usage";
import type { MediaUnits } from "../usage/media-units";
import type { Outcome } from "../usage/schema";
import type { CallTicket } from "../runtime/own-calls";
import { pacificDay } from "../util/pacific-day";
import type { CallDeps, CallEnd } from "./front-door";

/**
 * What the ledger keeps about one proxied call, filled in by the pipeline as the call goes,
 * and its one D1 row handed to waitUntil when the call ends (after the last byte, for streams).
 */
export class CallLog {
  model = "unknown";
  /** The name the client asked for when an alias made it `model`. */
  requestedModel: string | null = null;
  category = "unknown";
  streamed = false;
  attempts = 0;
  geminiKeyId: string | null = null;
  /** Set once Google accepted the call (the key was charged). */
  served = false;
  tokens: UsageFigures = ZERO_USAGE;
  /** Images, audio, speech characters and files the call made or consumed (CallEnd.media). */
  media: MediaUnits = {};
  /** Counts this call in this isolate (client limit, key quotas) until D1's counts hold its row. */
  readonly ticket: CallTicket;
  private firstByteAt: number | null = null;
  private finished = false;

  constructor(
    private readonly deps: CallDeps,
    public endpoint: string,
  ) {
    this.ticket = deps.runtime.own.open(pacificDay(deps.receivedAt), deps.clientKey.id);
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** The call passed its client's daily limit: it holds one of the client's calls while under way. */
  holdClientSlot(): void {
    this.ticket.holdsClientSlot = true;
  }

  /** An attempt on this key is about to reach Google. */
  attempted(keyId: string): void {
    this.geminiKeyId = keyId;
    this.ticket.attempted = true;
  }

  markFirstByte(): void {
    this.firstByteAt ??= Date.now();
  }

  finish(status: number, outcome: Outcome, errorCode: string | null = null): void {
    if (this.finished) return;
    this.finished = true;
    const { runtime, env, receivedAt, clientKey } = this.deps;
    runtime.own.end(this.ticket);
    const now = Date.now();
    const write = runtime.ledger.record(
      env,
      {
        ts: receivedAt,
        day: pacificDay(receivedAt),
        clientKeyId: clientKey.id,
        geminiKeyId: this.geminiKeyId,
        model: this.model,
        requestedModel: this.requestedModel,
        category: this.category,
        endpoint: this.endpoint,
        streamed: this.streamed,
        status,
        outcome,
        served: this.served,
        attempts: this.attempts,
        tokens: this.tokens,
        media: this.media,
        latencyMs: now - receivedAt,
        ttfbMs: this.firstByteAt === null ? null : this.firstByteAt - receivedAt,
        errorCode,
      },
      this.ticket,
    );
    this.deps.waitUntil(write);
  }

  /** A stream's row, once it has ended however it ended. */
  finishWhen(ended: Promise<CallEnd>): void {
    this.deps.waitUntil(
      ended.then(
        (end) => {
          if (end.tokens) this.tokens = end.tokens;
          if (end.media) this.media = end.media;
          this.finish(end.status, end.outcome, end.code ?? null);
        },
        (error: unknown) => {
          console.error(`a stream ended with an error of the proxy's own: ${String(error)}`);
          this.finish(500, "internal_error", "internal_error");
        },
      ),
    );
  }
}
