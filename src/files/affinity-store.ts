import { and, eq, gt, inArray, lte } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { keyAffinity } from "../usage/schema";

/** Which Gemini key and client hold a file, a cached content or an upload under way. */
export type AffinityRow = typeof keyAffinity.$inferSelect;
export type AffinityKind = AffinityRow["kind"];

/** Remembers (or replaces) who holds `row.name`. */
export async function rememberAffinity(database: D1Database, row: AffinityRow): Promise<void> {
  const { name, ...rest } = row;
  await drizzle(database).insert(keyAffinity).values(row).onConflictDoUpdate({ target: keyAffinity.name, set: rest });
}

/** The rows of these names that have not expired. */
export async function findAffinities(database: D1Database, names: readonly string[], now = Date.now()): Promise<Map<string, AffinityRow>> {
  if (names.length === 0) return new Map();
  const rows = await drizzle(database)
    .select()
    .from(keyAffinity)
    .where(and(inArray(keyAffinity.name, [...names]), gt(keyAffinity.expiresAt, now)));
  return new Map(rows.map((row) => [row.name, row]));
}

export async function findAffinity(database: D1Database, name: string, now = Date.now()): Promise<AffinityRow | null> {
  return (await findAffinities(database, [name], now)).get(name) ?? null;
}

/** A client's own files or cached contents that have not expired, newest first. */
export async function listAffinities(database: D1Database, clientKeyId: string, kind: AffinityKind, now = Date.now()): Promise<AffinityRow[]> {
  const rows = await drizzle(database)
    .select()
    .from(keyAffinity)
    .where(and(eq(keyAffinity.clientKeyId, clientKeyId), eq(keyAffinity.kind, kind), gt(keyAffinity.expiresAt, now)));
  return rows.sort((a, b) => b.createdAt - a.createdAt);
}

export async function forgetAffinity(database: D1Database, name: string): Promise<void> {
  await drizzle(database).delete(keyAffinity).where(eq(keyAffinity.name, name));
}

/** A cached content's new expiry after its TTL was changed. */
export async function extendAffinity(database: D1Database, name: string, expiresAt: number): Promise<void> {
  await drizzle(database).update(keyAffinity).set({ expiresAt }).where(eq(keyAffinity.name, name));
}

/** Drops rows past their expiry (they are already ignored by every read); for the daily cleanup. */
export async function pruneAffinities(database: D1Database, now = Date.now()): Promise<void> {
  await drizzle(database).delete(keyAffinity).where(lte(keyAffinity.expiresAt, now));
}
