// A D1 database that sums `meta.rows_read` / `meta.rows_written` of every statement and
// otherwise answers as the real one. drizzle-orm (d1 driver) reaches D1 through prepare(),
// bind(), all(), run(), raw() (selects with fields) and batch(); first() is covered too.
//
// raw() and first() return no meta, so they are served from all() (the same query, once):
// first() is all().results[0]; raw() turns each row object back into an array, in column
// order. A row object cannot hold two columns of one name, so a statement with a JOIN (the
// product has none) and raw({columnNames: true}) go to the real raw() and are counted in
// `rawUncounted` instead.
import { current, noteD1Result } from "./counters";

type Meta = { meta?: Record<string, unknown> };

class CountedStatement {
  constructor(readonly real: D1PreparedStatement, private readonly sql: string) {}

  bind(...values: unknown[]): CountedStatement {
    return new CountedStatement(this.real.bind(...values), this.sql);
  }

  async run(): Promise<D1Result> {
    const result = await this.real.run();
    noteD1Result(result as Meta);
    return result;
  }

  async all(): Promise<D1Result> {
    const result = await this.real.all();
    noteD1Result(result as Meta);
    return result;
  }

  async first(column?: string): Promise<unknown> {
    const row = (await this.all()).results[0] as Record<string, unknown> | undefined;
    if (!row) return null;
    if (column === undefined) return row;
    if (row[column] === undefined) {
      throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${column})`, { cause: new Error("Column not found") });
    }
    return row[column];
  }

  async raw(options?: { columnNames?: boolean }): Promise<unknown[]> {
    if (options?.columnNames || /\bjoin\b/i.test(this.sql)) {
      current().d1.statements++;
      current().d1.rawUncounted++;
      return (this.real.raw as (o?: unknown) => Promise<unknown[]>)(options);
    }
    const { results } = await this.all();
    return (results as Record<string, unknown>[]).map((row) => Object.values(row));
  }
}

const unwrap = (statement: unknown) => (statement instanceof CountedStatement ? statement.real : statement) as D1PreparedStatement;

/** What a D1Database and a D1DatabaseSession have in common. */
interface Preparing {
  prepare(sql: string): D1PreparedStatement;
  batch(statements: D1PreparedStatement[]): Promise<D1Result[]>;
}

class CountedSession {
  constructor(protected readonly real: Preparing) {}

  prepare(sql: string): CountedStatement {
    return new CountedStatement(this.real.prepare(sql), sql);
  }

  async batch(statements: unknown[]): Promise<D1Result[]> {
    const results = await this.real.batch(statements.map(unwrap));
    current().d1.batches++;
    for (const result of results) noteD1Result(result as Meta);
    return results;
  }

  getBookmark(): string | null {
    return (this.real as unknown as D1DatabaseSession).getBookmark();
  }
}

class CountedDatabase extends CountedSession {
  constructor(private readonly database: D1Database) {
    super(database);
  }

  async exec(sql: string): Promise<D1ExecResult> {
    const result = await this.database.exec(sql);
    current().d1.execs++;
    current().d1.statements += result.count;
    return result;
  }

  dump(): Promise<ArrayBuffer> {
    return (this.database as unknown as { dump(): Promise<ArrayBuffer> }).dump();
  }

  withSession(constraintOrBookmark?: string): CountedSession {
    return new CountedSession(this.database.withSession(constraintOrBookmark as D1SessionConstraint) as unknown as Preparing);
  }
}

export function countingD1(real: D1Database): D1Database {
  return new CountedDatabase(real) as unknown as D1Database;
}
