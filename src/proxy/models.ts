import type { Context } from "hono";
import { toOpenAIModel, toOpenAIModelList } from "../openai/models";
import type { ProxyEnv } from "./client-auth";
import { modelNotFound, openAIFailure } from "./errors";
import { allowedModel, bareModelId } from "./resolve-model";

// Models carry no creation time of their own; a fixed one keeps answers stable.
const MODEL_CREATED = 1_700_000_000;

/** GET /v1/models: the configured models this client key may use (aliases are not listed: patterns cannot be). */
export function listModels(c: Context<ProxyEnv>): Response {
  const allowed = c.get("clientKey").options.allowedModels;
  const ids = c
    .get("config")
    .models.map((m) => m.id)
    .filter((id) => allowed === null || allowed.includes(id));
  return Response.json(toOpenAIModelList(ids, MODEL_CREATED));
}

/** GET /v1/models/{id} */
export function getModel(c: Context<ProxyEnv>): Response {
  // Hono has decoded the path parameter once already; decoding again broke on `%25` (URIError).
  const id = bareModelId(c.req.param("id") ?? "");
  const model = allowedModel(c.get("config"), c.get("clientKey"), id);
  if (!model) return openAIFailure(modelNotFound(id));
  // An alias answers under the name asked for, as OpenAI answers the id it was given.
  return Response.json(toOpenAIModel(id, MODEL_CREATED));
}
