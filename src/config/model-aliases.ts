import { z } from "zod";

// Model aliases: a name (or a `*` glob pattern) a client may ask for, mapped by the admin to a
// configured Gemini model, since agents send their own default model names (Codex `gpt-5.1-codex`,
// Claude Code `claude-sonnet-4-5-20250929`). Pure: the pipeline resolves with an AliasTable built
// once per config refresh (src/config/config-snapshot.ts).

export const MAX_ALIASES = 200;

/** What the admin stores: `alias` is an exact name or a pattern where `*` matches any run of characters. */
export const modelAliasSchema = z
  .object({
    alias: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9*][A-Za-z0-9._:@+*-]*$/, "an alias may hold letters, digits, . _ : @ + - and * (any characters)")
      .refine((alias) => alias.split("*").length - 1 <= 8, "an alias may hold at most 8 *"),
    model: z.string().trim().min(1).max(200),
  })
  .strict();
export type ModelAlias = z.infer<typeof modelAliasSchema>;

export function isPattern(alias: string): boolean {
  return alias.includes("*");
}

interface Pattern {
  alias: ModelAlias;
  /** The literal pieces between the `*`s; the first and last are anchored. */
  pieces: string[];
  literalLength: number;
  stars: number;
}

/** The aliases indexed for resolution: exact names in a map, patterns most specific first. */
export interface AliasTable {
  exact: ReadonlyMap<string, ModelAlias>;
  patterns: readonly Pattern[];
}

export const EMPTY_ALIASES: AliasTable = { exact: new Map(), patterns: [] };

/**
 * Indexes stored aliases (an entry that no longer validates is skipped). Patterns are ordered
 * by specificity: the longest literal part first, then fewer `*`, then the order they were added.
 */
export function aliasTable(stored: readonly unknown[]): AliasTable {
  const exact = new Map<string, ModelAlias>();
  const patterns: Pattern[] = [];
  for (const entry of stored) {
    const parsed = modelAliasSchema.safeParse(entry);
    if (!parsed.success) continue;
    const alias = parsed.data;
    if (!isPattern(alias.alias)) {
      if (!exact.has(alias.alias)) exact.set(alias.alias, alias);
      continue;
    }
    const pieces = alias.alias.split("*");
    const literalLength = pieces.reduce((sum, piece) => sum + piece.length, 0);
    patterns.push({ alias, pieces, literalLength, stars: pieces.length - 1 });
  }
  // Array.prototype.sort is stable: equal specificity keeps the stored order.
  patterns.sort((a, b) => b.literalLength - a.literalLength || a.stars - b.stars);
  return { exact, patterns };
}

/** The alias a requested name falls under: an exact alias first, then the most specific matching pattern. */
export function findAlias(table: AliasTable, requested: string): ModelAlias | null {
  const exact = table.exact.get(requested);
  if (exact) return exact;
  for (const pattern of table.patterns) {
    if (globMatches(pattern.pieces, requested)) return pattern.alias;
  }
  return null;
}

/**
 * Whether `name` matches the pattern split at its `*`s. Greedy left to right: the first piece
 * anchors the start, the last the end, each middle piece is taken at its first occurrence
 * (which is always safe for `*` globs), so the cost is linear in the name, never backtracking.
 */
function globMatches(pieces: readonly string[], name: string): boolean {
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (name.length < first.length + last.length) return false;
  if (!name.startsWith(first) || !name.endsWith(last)) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    const found = name.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}
