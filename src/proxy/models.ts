import type { Context } from "hono";
import { toOpenAIModel, toOpenAIModelList } from "../openai/models";
import type { ProxyEnv } from "./client-auth";
import { modelNotFound, openAIFailure } from "./errors";
import { allowedModel, bareModelId } from "./resolve-model";

// Models carry no creation time of their own; a fixed one keeps answers stable.
const MODEL_CREATED = 1_700_000_000;

/** GET /v1/models: the configured models this client key may use. */
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
  const id = bareModelId(decodeURIComponent(c.req.param("id") ?? ""));
  const model = allowedModel(c.get("config"), c.get("clientKey"), id);
  if (!model) return openAIFailure(modelNotFound(id));
  return Response.json(toOpenAIModel(model.id, MODEL_CREATED));
}
