// The Worker brings its own D1 schema up to date: a first deploy on an empty account provisions
// the database during `wrangler deploy`, after which nothing else may have applied the
// migrations yet. Uses wrangler's own `d1_migrations` table, so `wrangler d1 migrations apply`
// and this agree on what is applied.

export interface BundledMigration {
  name: string;
  queries: string[];
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS d1_migrations(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`;

async function appliedNames(db: D1Database): Promise<Set<string> | null> {
  try {
    const { results } = await db.prepare("SELECT name FROM d1_migrations").all<{ name: string }>();
    return new Set(results.map((row) => row.name));
  } catch (error) {
    if (/no such table/i.test(String(error))) return null;
    throw error;
  }
}

/**
 * Applies the migrations D1 has not recorded, in order, each in one batch (a transaction) with
 * its `d1_migrations` row. Another isolate doing the same at once makes one batch fail (the
 * row's name is UNIQUE, or a table already exists) and roll back whole; the loser re-reads what
 * is applied and goes on. Returns the names it applied.
 */
export async function applyPendingMigrations(db: D1Database, migrations: BundledMigration[]): Promise<string[]> {
  let applied = await appliedNames(db);
  if (applied === null) {
    await db.prepare(CREATE_TABLE).run();
    applied = new Set();
  }
  const done: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.name)) continue;
    try {
      await db.batch([
        ...migration.queries.map((query) => db.prepare(query)),
        db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").bind(migration.name),
      ]);
      done.push(migration.name);
    } catch (error) {
      applied = (await appliedNames(db)) ?? new Set();
      if (!applied.has(migration.name)) throw new Error(`migration ${migration.name} failed: ${String(error)}`);
    }
  }
  return done;
}

/**
 * Once per isolate: a flag, not a shared promise, because workerd must not have one request
 * wait on I/O another request started. Cold requests that race each check for themselves.
 */
export class SchemaMigrator {
  private upToDate = false;

  constructor(private readonly migrations: () => BundledMigration[]) {}

  async ensure(db: D1Database): Promise<void> {
    if (this.upToDate) return;
    const applied = await applyPendingMigrations(db, this.migrations());
    if (applied.length > 0) console.log(`D1 schema brought up to date: ${applied.join(", ")}`);
    this.upToDate = true;
  }

  clear(): void {
    this.upToDate = false;
  }
}
