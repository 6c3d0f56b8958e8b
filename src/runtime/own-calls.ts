// This isolate's own calls that the counts it read from D1 do not hold yet. A call counts for
// its client from the moment its ledger record opens, and for its Gemini key from the moment
// Google accepted it; it stops counting here once this isolate's sync has read its ledger row
// (the row then counts through the D1 counts), so it is counted exactly once, at once.

export class CallTicket {
  keyId: string | null = null;
  model: string | null = null;
  /** The ledger row's id once D1 accepted it. */
  rowId: number | null = null;

  constructor(
    readonly day: string,
    readonly clientKeyId: string,
  ) {}

  /** Google accepted the call on this key: it counts against the key's quotas from now on. */
  charge(keyId: string, model: string): void {
    this.keyId = keyId;
    this.model = model;
  }
}

export class OwnCalls {
  private readonly tickets = new Set<CallTicket>();

  open(day: string, clientKeyId: string): CallTicket {
    const ticket = new CallTicket(day, clientKeyId);
    this.tickets.add(ticket);
    return ticket;
  }

  /** Drops the tickets the counts of `day` now hold (row id <= through) and those of earlier days. */
  forget(day: string, through: number): void {
    for (const ticket of this.tickets) {
      if (ticket.day < day || (ticket.day === day && ticket.rowId !== null && ticket.rowId <= through)) this.tickets.delete(ticket);
    }
  }

  /** Adds this isolate's charged calls on the key to `models`. */
  addTo(keyId: string, day: string, models: Record<string, number>): void {
    for (const ticket of this.tickets) {
      if (ticket.keyId === keyId && ticket.day === day && ticket.model) models[ticket.model] = (models[ticket.model] ?? 0) + 1;
    }
  }

  clientCalls(clientKeyId: string, day: string): number {
    let n = 0;
    for (const ticket of this.tickets) if (ticket.clientKeyId === clientKeyId && ticket.day === day) n += 1;
    return n;
  }

  clear(): void {
    this.tickets.clear();
  }
}
