import { BUNDLED_MIGRATIONS } from "../db/bundled-migrations";
import { SchemaMigrator } from "../db/schema-migrator";
import { Benches } from "./benches";
import { InFlight } from "./in-flight";
import { IsolateView } from "./isolate-view";
import { LedgerWriter } from "./ledger-writer";
import { OwnCalls } from "./own-calls";
import { StateWriter } from "./state-writer";

/**
 * Everything one isolate holds between calls, in one object made once in src/index.ts and
 * passed down (a test can hold two: two isolates over the same KV and D1).
 */
export class IsolateRuntime {
  readonly schema = new SchemaMigrator(() => BUNDLED_MIGRATIONS);
  readonly inFlight = new InFlight();
  readonly benches = new Benches();
  readonly own = new OwnCalls();
  readonly states = new StateWriter();
  readonly ledger = new LedgerWriter(() => this.forgetCounted());
  readonly view = new IsolateView({
    overlayStates: (states) => this.states.overlay(states),
    synced: () => this.forgetCounted(),
  });

  /** Own calls whose ledger rows the view's counts already hold stop counting twice. */
  private forgetCounted(): void {
    const view = this.view.peek();
    if (view) this.own.forget(view.day, view.counts.through);
  }

  /** Something in KV changed here (an admin edit): the next call re-reads it. */
  invalidate(): void {
    this.view.invalidate();
  }

  /** The daily reset and "reset quotas now": short holds go, and the view is read afresh. */
  liftHolds(): void {
    this.benches.clear();
    this.view.invalidate();
  }

  /** Forgets everything, as a fresh isolate would (tests). */
  clear(): void {
    this.schema.clear();
    this.benches.clear();
    this.own.clear();
    this.states.clear();
    this.ledger.clear();
    this.view.clear();
  }
}
