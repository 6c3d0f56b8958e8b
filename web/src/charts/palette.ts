/**
 * Series colours with enough contrast on both the light and the dark background
 * (Tableau 10, lifted a step for the dark theme).
 */
import type { Theme } from "../lib/theme";

const LIGHT = ["#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#edc948", "#76b7b2", "#ff9da7", "#9c755f", "#79706e"];
const DARK = ["#7aa6d6", "#ffa552", "#ff7b7d", "#7fd07a", "#d49fc6", "#f5d76e", "#8fd3cd", "#ffb8c0", "#c79b84", "#bab0ac"];

export function seriesColor(theme: Theme, index: number): string {
  const palette = theme === "dark" ? DARK : LIGHT;
  return palette[index % palette.length]!;
}

/** Fixed colours for outcomes, so "timeout" looks the same in every range. */
const OUTCOME_INDEX: Record<string, number> = {
  ok: 3,
  blocked: 5,
  client_error: 1,
  rate_limited: 4,
  no_key: 9,
  upstream_error: 2,
  timeout: 0,
  aborted: 8,
};

export function outcomeColor(theme: Theme, outcome: string, fallbackIndex: number): string {
  return seriesColor(theme, OUTCOME_INDEX[outcome] ?? fallbackIndex);
}
