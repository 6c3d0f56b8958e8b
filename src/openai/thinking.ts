import type { ThinkingConfig, ThinkingLevel } from "../gemini/types";
import { TranslationError } from "./errors";
import { canDisableThinking, thinkingControl } from "./model-family";
import type { ChatCompletionRequest, GoogleExtras } from "./schemas";

type Effort = NonNullable<ChatCompletionRequest["reasoning_effort"]>;

// Gemini 3 levels. Which levels a model accepts varies (3 Pro: low/high; Flash: minimal..high),
// so the level is passed through and Google's own 400 names what the model takes.
const LEVEL_BY_EFFORT: Readonly<Record<Exclude<Effort, "none">, ThinkingLevel>> = {
  minimal: "minimal",
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "high",
  max: "high",
};

// Gemini 2.5 budgets, every one inside the range all 2.5 models accept (Flash-Lite's floor is 512,
// Flash's ceiling 24,576).
const BUDGET_BY_EFFORT: Readonly<Record<Exclude<Effort, "none">, number>> = {
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 24576,
  max: 24576,
};

function fromEffort(effort: Effort, model: string): ThinkingConfig {
  const control = thinkingControl(model);
  if (control === "none") return {};
  if (effort === "none") {
    if (!canDisableThinking(model)) {
      throw new TranslationError(`reasoning_effort 'none' is not supported by ${model}: its thinking cannot be switched off.`, {
        param: "reasoning_effort",
        code: "unsupported_value",
      });
    }
    return { thinkingBudget: 0 };
  }
  const config: ThinkingConfig = { includeThoughts: true };
  if (control === "level") config.thinkingLevel = LEVEL_BY_EFFORT[effort];
  else config.thinkingBudget = BUDGET_BY_EFFORT[effort];
  return config;
}

function applyExplicit(config: ThinkingConfig, explicit: NonNullable<GoogleExtras["thinking_config"]>): void {
  const { thinking_level: level, thinking_budget: budget, include_thoughts: include } = explicit;
  if (level !== undefined && budget !== undefined) {
    throw new TranslationError("Set only one of thinking_level and thinking_budget.", {
      param: "extra_body.google.thinking_config",
    });
  }
  if (level !== undefined || budget !== undefined) {
    delete config.thinkingLevel;
    delete config.thinkingBudget;
    if (level !== undefined) config.thinkingLevel = level;
    if (budget !== undefined) config.thinkingBudget = budget;
  }
  if (include !== undefined) config.includeThoughts = include;
}

/**
 * reasoning_effort, extra_body.google.thinking_config and the "always include thoughts" setting
 * -> one thinkingConfig that never holds both a level and a budget. The client's explicit
 * Google config wins over reasoning_effort.
 */
export function thinkingConfigFor(
  req: Pick<ChatCompletionRequest, "reasoning_effort">,
  google: GoogleExtras | undefined,
  model: string,
  alwaysIncludeThoughts: boolean,
): ThinkingConfig | undefined {
  const config: ThinkingConfig = req.reasoning_effort ? fromEffort(req.reasoning_effort, model) : {};
  const explicit = google?.thinking_config;
  if (explicit) applyExplicit(config, explicit);
  const thinkingOff = config.thinkingBudget === 0;
  if (alwaysIncludeThoughts && config.includeThoughts === undefined && !thinkingOff && thinkingControl(model) !== "none") {
    config.includeThoughts = true;
  }
  return Object.keys(config).length > 0 ? config : undefined;
}
