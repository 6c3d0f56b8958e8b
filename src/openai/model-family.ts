// What a Gemini model id says about its thinking controls. Google's model list exposes only a
// `thinking` boolean, so the family is read from the id: 2.5 takes a token budget, 3 and later
// take a level. Anything else (gemini-2.0, gemma, "-latest" aliases) gets no thinking knob.

export type ThinkingControl = "level" | "budget" | "none";

const VERSIONED = /^gemini-(\d+)(?:\.(\d+))?-/;

function version(model: string): { major: number; minor: number } | null {
  const match = VERSIONED.exec(model);
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2] ?? 0) };
}

export function thinkingControl(model: string): ThinkingControl {
  const v = version(model);
  if (!v) return "none";
  if (v.major >= 3) return "level";
  if (v.major === 2 && v.minor === 5) return "budget";
  return "none";
}

/** Gemini 2.5 Pro cannot switch thinking off (budget minimum 128); Flash and Flash-Lite can. */
export function canDisableThinking(model: string): boolean {
  return thinkingControl(model) === "budget" && !model.startsWith("gemini-2.5-pro");
}

/**
 * Gemini 3 rejects a function-call turn whose first call lacks a thought signature. Older
 * versioned models (1.x, 2.x) do not check, so only they are spared the dummy signature.
 */
export function requiresThoughtSignatures(model: string): boolean {
  const v = version(model);
  return v === null || v.major >= 3;
}
