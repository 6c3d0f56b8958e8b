import type { ModelCategory } from "../config/schemas";
import { callGemini, type GeminiAttempt } from "./client";
import type { UpstreamFailure } from "./failure";
import type { ListModelsResponse } from "./types";

const PAGE_SIZE = "1000";
const MAX_PAGES = 10;
const TIMEOUT_MS = 15_000;
const SERVABLE_METHODS = ["generateContent", "embedContent"];

export interface AvailableModel {
  id: string;
  displayName: string;
  suggestedCategory: ModelCategory;
}

export type ModelListing =
  | { ok: true; models: AvailableModel[] }
  | { ok: false; failure: UpstreamFailure; status: number | null };

/** Google's model list (every page, up to a bound), keeping the models the proxy can serve. */
export async function listGoogleModels(base: string | undefined, apiKey: string): Promise<ModelListing> {
  const models: AvailableModel[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query: Record<string, string> = { pageSize: PAGE_SIZE, ...(pageToken ? { pageToken } : {}) };
    const attempt: GeminiAttempt = await callGemini({ base, apiKey, path: "models", method: "GET", query, timeoutMs: TIMEOUT_MS });
    if (!attempt.ok) return attempt;
    const body = (await attempt.response.json().catch(() => ({}))) as ListModelsResponse;
    for (const model of body.models ?? []) {
      const id = model.name?.replace(/^models\//, "");
      if (!id || !model.supportedGenerationMethods?.some((m) => SERVABLE_METHODS.includes(m))) continue;
      models.push({ id, displayName: model.displayName ?? id, suggestedCategory: suggestCategory(id) });
    }
    pageToken = body.nextPageToken;
    if (!pageToken) break;
  }
  return { ok: true, models };
}

export function suggestCategory(modelId: string): ModelCategory {
  const id = modelId.toLowerCase();
  if (id.includes("pro")) return "pro";
  if (id.includes("flash")) return "flash";
  return "custom";
}
