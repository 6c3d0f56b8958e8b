// Gemini models' output ceilings (Google's model listing, `outputTokenLimit`). The model
// configuration keeps no limit, so the families are known here; anything newer or unknown gets
// the ceiling of every current 2.5 / 3 model.
const DEFAULT_OUTPUT_LIMIT = 65_536;
const LIMITS: ReadonlyArray<[RegExp, number]> = [
  [/^gemini-2\.0-/, 8_192],
  [/^gemini-1\.5-/, 8_192],
  [/^gemma-/, 8_192],
];

export function outputLimit(model: string): number {
  for (const [pattern, limit] of LIMITS) if (pattern.test(model)) return limit;
  return DEFAULT_OUTPUT_LIMIT;
}

/** Claude Code asks for 32,000 or 128,000 tokens: more than the model writes is clamped, never refused. */
export function clampMaxTokens(requested: number, model: string): number {
  return Math.min(requested, outputLimit(model));
}
