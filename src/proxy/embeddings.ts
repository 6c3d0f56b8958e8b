import type { Context } from "hono";
import type { BatchEmbedContentsResponse } from "../gemini/types";
import { toGeminiBatchEmbedRequest, toOpenAIEmbeddings } from "../openai/embeddings";
import { TranslationError } from "../openai/errors";
import { parseEmbeddingsRequest, type EmbeddingsRequest } from "../openai/schemas";
import { CallLog } from "./call-log";
import { openAIFailure } from "./errors";
import { translationErrorResponse } from "./chat";
import type { ProxyEnv } from "./client-auth";
import { readJsonBody } from "./read-body";
import { bareModelId, clientLimitReached, configuredModel } from "./resolve-model";
import { throughPool } from "./through-pool";

/** POST /v1/embeddings over batchEmbedContents. */
export async function embeddings(c: Context<ProxyEnv>): Promise<Response> {
  let request: EmbeddingsRequest;
  try {
    request = parseEmbeddingsRequest(await readJsonBody(c.req.raw));
  } catch (error) {
    return translationErrorResponse(error);
  }
  const model = configuredModel(c, bareModelId(request.model));
  if (model instanceof Response) return model;
  const limited = await clientLimitReached(c);
  if (limited) return limited;

  const log = new CallLog(c, { endpoint: "embeddings", model: model.id, category: model.category, streamed: false });
  let body;
  try {
    body = toGeminiBatchEmbedRequest(request, model.id);
  } catch (error) {
    if (!(error instanceof TranslationError)) throw error;
    log.finish(error.status, "client_error", error.code);
    return translationErrorResponse(error);
  }
  const result = await throughPool<BatchEmbedContentsResponse>(c, log, model, {
    spec: { path: `models/${model.id}:batchEmbedContents`, body },
    accept: async (response) => ({ ok: true, value: (await response.json()) as BatchEmbedContentsResponse }),
  });
  if (!result.ok) return openAIFailure(result.failure);
  const translated = toOpenAIEmbeddings(result.value, request, request.model);
  log.tokens = translated.usage;
  log.markFirstByte();
  log.finish(200, "ok");
  return Response.json(translated.body);
}
