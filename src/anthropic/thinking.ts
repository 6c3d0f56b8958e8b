import type { ThinkingConfig, ThinkingLevel } from "../gemini/types";
import { canDisableThinking, thinkingControl } from "../openai/model-family";
import type { Effort, MessagesRequest } from "./schemas";

// Gemini 3 takes a level, 2.5 a token budget (src/openai/model-family.ts). Only "low" and "high"
// are accepted by every Gemini 3 model (3 Pro refuses "medium" and "minimal"), so the mapping
// keeps to those: a Claude Code session must never meet a 400 for its effort setting.
const LEVEL_BY_EFFORT: Readonly<Record<Effort, ThinkingLevel>> = { low: "low", medium: "high", high: "high", xhigh: "high", max: "high" };
// Every 2.5 model accepts budgets in 1,024..24,576 (Flash's ceiling; Pro goes to 32,768).
const BUDGET_BY_EFFORT: Readonly<Record<Effort, number>> = { low: 1024, medium: 8192, high: 24576, xhigh: 24576, max: 24576 };
const MIN_BUDGET = 1024;
const MAX_BUDGET = 24576;
/** Below this budget a Gemini 3 model is asked to think little. */
const LOW_LEVEL_BELOW = 4096;

export interface ThinkingChoice {
  config?: ThinkingConfig;
  /** The client asked for thinking: thinking blocks (with their signatures) go into the answer. */
  blocks: boolean;
}

type Thinking = Pick<MessagesRequest, "thinking" | "output_config">;

/**
 * `thinking` (enabled with a budget, adaptive, disabled) and `output_config.effort` -> Gemini's
 * thinkingConfig. Thought summaries are asked for (`includeThoughts`) when thinking is on and its
 * display is not "omitted"; an omitted display still gets thinking blocks, empty, with signatures.
 */
export function thinkingFor(req: Thinking, model: string): ThinkingChoice {
  const thinking = req.thinking ?? undefined;
  const effort = req.output_config?.effort ?? undefined;
  const on = thinking?.type === "enabled" || thinking?.type === "adaptive";
  const control = thinkingControl(model);
  const config: ThinkingConfig = {};

  if (control === "level") {
    if (effort) config.thinkingLevel = LEVEL_BY_EFFORT[effort];
    else if (thinking?.type === "enabled") config.thinkingLevel = thinking.budget_tokens < LOW_LEVEL_BELOW ? "low" : "high";
  } else if (control === "budget") {
    if (thinking?.type === "enabled") config.thinkingBudget = Math.min(MAX_BUDGET, Math.max(MIN_BUDGET, thinking.budget_tokens));
    else if (thinking?.type === "disabled" && canDisableThinking(model)) config.thinkingBudget = 0;
    else if (effort) config.thinkingBudget = BUDGET_BY_EFFORT[effort];
  }
  const display = thinking && "display" in thinking ? thinking.display : undefined;
  if (on && control !== "none" && display !== "omitted") config.includeThoughts = true;
  return Object.keys(config).length > 0 ? { config, blocks: on } : { blocks: on };
}
