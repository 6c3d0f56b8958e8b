import type { BatchEmbedContentsResponse } from "../../gemini/types";
import { toGeminiBatchEmbedRequest, toOpenAIEmbeddings } from "../../openai/embeddings";
import { parseEmbeddingsRequest, type EmbeddingsRequest } from "../../openai/schemas";
import { openAIFailure } from "../errors";
import type { FrontDoor } from "../front-door";
import { readJsonBody } from "../read-body";
import { bareModelId } from "../resolve-model";

/** POST /v1/embeddings over batchEmbedContents. */
export const embeddingsDoor: FrontDoor<EmbeddingsRequest, BatchEmbedContentsResponse> = {
  endpoint: () => "embeddings",
  renderFailure: openAIFailure,
  parse: async (request) => parseEmbeddingsRequest(await readJsonBody(request)),
  modelId: (request) => bareModelId(request.model),
  streamed: () => false,
  prepare: async (request, model) => ({ path: `models/${model.id}:batchEmbedContents`, body: toGeminiBatchEmbedRequest(request, model.id) }),
  accept: async (response) => ({ ok: true, value: (await response.json()) as BatchEmbedContentsResponse }),
  async answer(reply, request) {
    const translated = toOpenAIEmbeddings(reply, request, request.model);
    return { kind: "json", body: translated.body, end: { status: 200, outcome: "ok", tokens: translated.usage } };
  },
};
