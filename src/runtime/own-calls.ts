// This isolate's own calls that the counts it read from D1 do not hold yet. A call counts for
// its client from the moment it passed the client's daily limit (while under way), and for
// its Gemini key from the moment Google accepted it; once its ledger row is written it counts
// only if it reached Google, and stops counting here once this isolate's sync has read the row
// (the row then counts through the D1 counts): counted exactly once, at once.

export class CallTicket {
  keyId: string | null = null;
  model: string | null = null;
  /** The call passed its client's daily limit and has not ended yet. */
  holdsClientSlot = false;
  /** An attempt reached Google: the call counts for the client's limit. */
  attempted = false;
  /** The ledger row's id once D1 accepted it. */
  rowId: number | null = null;
  ended = false;

  constructor(
    readonly day: string,
    readonly clientKeyId: string,
    private readonly charged: (ticket: CallTicket) => void = () => {},
  ) {}

  /** Google accepted the call on this key: it counts against the key's quotas from now on. */
  charge(keyId: string, model: string): void {
    this.keyId = keyId;
    this.model = model;
    this.charged(this);
  }

  /** Counts for its client's daily limit now. */
  get countsForClient(): boolean {
    return this.attempted || (this.holdsClientSlot && !this.ended);
  }
}

export class OwnCalls {
  private readonly tickets = new Set<CallTicket>();
  /** The charged tickets by key: a key pick reads its own few, not every ticket of the isolate. */
  private readonly byKey = new Map<string, Set<CallTicket>>();

  open(day: string, clientKeyId: string): CallTicket {
    const ticket = new CallTicket(day, clientKeyId, (charged) => this.index(charged));
    this.tickets.add(ticket);
    return ticket;
  }

  /** The call's ledger row is on its way: a call that never reached Google counts for nothing any more. */
  end(ticket: CallTicket): void {
    ticket.ended = true;
    if (!ticket.attempted && ticket.keyId === null) this.drop(ticket);
  }

  /** Drops the tickets the counts of `day` now hold (row id <= through) and those of earlier days. */
  forget(day: string, through: number): void {
    for (const ticket of this.tickets) {
      if (ticket.day < day || (ticket.day === day && ticket.rowId !== null && ticket.rowId <= through)) this.drop(ticket);
    }
  }

  /** Adds this isolate's charged calls on the key to `models`. */
  addTo(keyId: string, day: string, models: Record<string, number>): void {
    for (const ticket of this.byKey.get(keyId) ?? []) {
      if (ticket.day === day && ticket.model) models[ticket.model] = (models[ticket.model] ?? 0) + 1;
    }
  }

  clientCalls(clientKeyId: string, day: string): number {
    let n = 0;
    for (const ticket of this.tickets) if (ticket.clientKeyId === clientKeyId && ticket.day === day && ticket.countsForClient) n += 1;
    return n;
  }

  clear(): void {
    this.tickets.clear();
    this.byKey.clear();
  }

  private index(ticket: CallTicket): void {
    if (!this.tickets.has(ticket) || ticket.keyId === null) return;
    const charged = this.byKey.get(ticket.keyId) ?? new Set<CallTicket>();
    charged.add(ticket);
    this.byKey.set(ticket.keyId, charged);
  }

  private drop(ticket: CallTicket): void {
    this.tickets.delete(ticket);
    if (ticket.keyId === null) return;
    const charged = this.byKey.get(ticket.keyId);
    charged?.delete(ticket);
    if (charged?.size === 0) this.byKey.delete(ticket.keyId);
  }
}
