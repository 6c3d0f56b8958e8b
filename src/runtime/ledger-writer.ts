import type { Env } from "../env";
import { KeyStore } from "../pool/key-store";
import { recordCall, recordCalls, type CallRecord } from "../usage/record";
import type { CallTicket } from "./own-calls";

/** Rows kept for a retry while D1 refuses writes; past this the oldest are dropped (and logged). */
export const MAX_UNWRITTEN = 5_000;

/**
 * Writes ledger rows. A refused write (D1 down, or over the free plan's 100,000 rows a day)
 * keeps the row in this isolate and retries it with the next row this isolate writes; the call
 * keeps counting for its key and client here meanwhile. The limit is noted in KV once a day,
 * since D1 cannot hold the note.
 */
export class LedgerWriter {
  private unwritten: { call: CallRecord; ticket: CallTicket }[] = [];
  private notedDay: string | undefined;

  /** `written` runs once rows have their ids: a sync may already have read them. */
  constructor(private readonly written: () => void = () => {}) {}

  async record(env: Env, call: CallRecord, ticket: CallTicket): Promise<void> {
    const waiting = this.unwritten.splice(0);
    try {
      if (waiting.length === 0) {
        ticket.rowId = await recordCall(env.DB, call);
      } else {
        const ids = await recordCalls(env.DB, [...waiting.map((w) => w.call), call]);
        [...waiting.map((w) => w.ticket), ticket].forEach((t, i) => (t.rowId = ids[i] ?? null));
      }
      this.written();
    } catch (error) {
      this.unwritten.push(...waiting, { call, ticket });
      const dropped = this.unwritten.splice(0, Math.max(0, this.unwritten.length - MAX_UNWRITTEN));
      if (dropped.length > 0) console.error(`usage ledger: dropped ${dropped.length} unwritten rows`);
      console.error(`usage ledger write failed, ${this.unwritten.length} rows kept for a retry: ${String(error)}`);
      await this.noteRefusal(env, String(error));
    }
  }

  get pending(): number {
    return this.unwritten.length;
  }

  clear(): void {
    this.unwritten = [];
  }

  private async noteRefusal(env: Env, detail: string): Promise<void> {
    const now = Date.now();
    const utcDay = new Date(now).toISOString().slice(0, 10);
    if (this.notedDay === utcDay) return;
    this.notedDay = utcDay;
    await new KeyStore(env.GEMINI_KEYS_KV)
      .noteLimit(utcDay, { resource: "d1_rows_written", at: now, detail: detail.slice(0, 300) })
      .catch((error: unknown) => console.warn(`noting the D1 refusal in KV failed: ${String(error)}`));
  }
}
