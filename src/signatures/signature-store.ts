import { inArray, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { thoughtSignatures } from "../usage/schema";

/** Long enough for an agent's tool loop to come back; short enough not to pile up. */
export const SIGNATURE_TTL_MS = 24 * 3_600_000;

// D1 limits bound parameters per statement to 100.
const IDS_PER_QUERY = 90;

/** Remembered Gemini 3 thought signatures for the tool-call ids a client sends back. */
export async function lookupSignatures(database: D1Database, toolCallIds: string[], now = Date.now()): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (toolCallIds.length === 0) return found;
  const db = drizzle(database);
  for (let i = 0; i < toolCallIds.length; i += IDS_PER_QUERY) {
    const rows = await db
      .select()
      .from(thoughtSignatures)
      .where(inArray(thoughtSignatures.toolCallId, toolCallIds.slice(i, i + IDS_PER_QUERY)));
    for (const row of rows) if (row.expiresAt > now) found.set(row.toolCallId, row.signature);
  }
  return found;
}

export async function rememberSignatures(database: D1Database, signatures: Record<string, string>, now = Date.now()): Promise<void> {
  const rows = Object.entries(signatures).map(([toolCallId, signature]) => ({
    toolCallId,
    signature,
    expiresAt: now + SIGNATURE_TTL_MS,
  }));
  if (rows.length === 0) return;
  const db = drizzle(database);
  const statements = [];
  // 3 parameters per row, at most 100 per statement.
  for (let i = 0; i < rows.length; i += 30) {
    statements.push(
      db.insert(thoughtSignatures).values(rows.slice(i, i + 30)).onConflictDoNothing(),
    );
  }
  await db.batch(statements as [typeof statements[0], ...typeof statements]);
}

export async function pruneSignatures(database: D1Database, now = Date.now()): Promise<void> {
  await drizzle(database).delete(thoughtSignatures).where(lt(thoughtSignatures.expiresAt, now));
}
