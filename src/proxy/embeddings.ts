import type { Context } from "hono";
import { callGemini } from "../gemini/client";
import type { BatchEmbedContentsResponse } from "../gemini/types";
import { toGeminiBatchEmbedRequest, toOpenAIEmbeddings } from "../openai/embeddings";
import { TranslationError } from "../openai/errors";
import { parseEmbeddingsRequest, type EmbeddingsRequest } from "../openai/schemas";
import { KeyPool } from "../pool/key-pool";
import { CallLog } from "./call-log";
import { translationErrorResponse } from "./chat";
import type { ProxyEnv } from "./client-auth";
import { withFailover } from "./failover";
import { answerFailover } from "./failover-response";
import { readJsonBody } from "./read-body";
import { bareModelId, clientLimitReached, configuredModel } from "./resolve-model";

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
  const { settings } = c.get("config");
  const waitUntil = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  const pool = await KeyPool.open(c.env.GEMINI_KEYS_KV, c.get("config"));
  const result = await withFailover<BatchEmbedContentsResponse>({
    pool,
    model,
    maxAttempts: settings.maxAttempts,
    waitUntil,
    signal: c.req.raw.signal,
    attempt: async (key) => {
      log.geminiKeyId = key.id;
      const attempt = await callGemini({
        base: c.env.GEMINI_API_BASE,
        apiKey: key.secret,
        path: `models/${model.id}:batchEmbedContents`,
        body,
        signal: c.req.raw.signal,
        timeoutMs: settings.attemptTimeoutMs,
      });
      if (!attempt.ok) return attempt;
      return { ok: true, value: (await attempt.response.json()) as BatchEmbedContentsResponse };
    },
  });
  log.attempts = result.attempts;
  if (!result.ok) {
    const failed = answerFailover(result.error);
    log.finish(failed.response.status, failed.outcome, failed.code);
    return failed.response;
  }
  pool.recordSuccess(result.key.id, model.id, waitUntil);
  log.served = true;
  const translated = toOpenAIEmbeddings(result.value, request, request.model);
  log.tokens = translated.usage;
  log.markFirstByte();
  log.finish(200, "ok");
  return Response.json(translated.body);
}
