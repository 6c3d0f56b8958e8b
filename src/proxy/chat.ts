import type { Context } from "hono";
import type { GenerateContentResponse } from "../gemini/types";
import { TranslationError } from "../openai/errors";
import {
  collectRemoteMediaUrls,
  collectToolCallIds,
  resolveModelName,
  toGeminiChatRequest,
} from "../openai/request";
import { isEmptyReply, toChatCompletion } from "../openai/response";
import { parseChatRequest, type ChatCompletionRequest } from "../openai/schemas";
import { ChatStreamTranslator } from "../openai/stream";
import { lookupSignatures, rememberSignatures } from "../signatures/signature-store";
import { randomToken } from "../util/crypto";
import { CallLog } from "./call-log";
import { openAIFailure } from "./errors";
import { pipeChatStream } from "./chat-stream";
import type { ProxyEnv } from "./client-auth";
import { readJsonBody } from "./read-body";
import { clientLimitReached, configuredModel } from "./resolve-model";
import { fetchRemoteMedia } from "./remote-media";
import { throughPool } from "./through-pool";

/** POST /v1/chat/completions */
export async function chatCompletions(c: Context<ProxyEnv>): Promise<Response> {
  let request: ChatCompletionRequest;
  try {
    request = parseChatRequest(await readJsonBody(c.req.raw));
  } catch (error) {
    return translationErrorResponse(error);
  }
  const { model: modelId, webSearch } = resolveModelName(request.model);
  const model = configuredModel(c, modelId);
  if (model instanceof Response) return model;
  const limited = await clientLimitReached(c);
  if (limited) return limited;

  const streamed = request.stream === true;
  const log = new CallLog(c, { endpoint: "chat", model: model.id, category: model.category, streamed });
  const { settings } = c.get("config");
  const { options } = c.get("clientKey");

  let body;
  try {
    const [signatures, remoteMedia] = await Promise.all([
      lookupSignatures(c.env.DB, collectToolCallIds(request)),
      fetchRemoteMedia(collectRemoteMediaUrls(request)),
    ]);
    body = toGeminiChatRequest(request, {
      upstreamModel: model.id,
      webSearch,
      safetyOff: options.safetyOff,
      systemAsUser: options.systemAsUser,
      alwaysIncludeThoughts: settings.alwaysIncludeThoughts,
      signatures,
      remoteMedia,
    });
  } catch (error) {
    if (!(error instanceof TranslationError)) throw error;
    log.finish(error.status, "client_error", error.code);
    return translationErrorResponse(error);
  }

  const completionId = `chatcmpl-${randomToken(18)}`;
  const created = Math.floor(c.get("receivedAt") / 1000);

  if (!streamed) {
    const result = await throughPool<GenerateContentResponse>(c, log, model, {
      spec: { path: `models/${model.id}:generateContent`, body },
      accept: async (response) => {
        const reply = (await response.json()) as GenerateContentResponse;
        if (isEmptyReply(reply)) return { ok: false, failure: { kind: "empty", message: "empty reply" } };
        return { ok: true, value: reply };
      },
    });
    if (!result.ok) return openAIFailure(result.failure);
    const translated = toChatCompletion(result.value, { id: completionId, created, model: request.model });
    log.tokens = translated.usage;
    // Awaited, not waitUntil: the client's next turn may follow at once and must find them.
    // If D1 refuses, the answer still stands (the next turn falls back to Google's dummy signature).
    await rememberSignatures(c.env.DB, translated.signatures).catch((error: unknown) =>
      console.error(`remembering thought signatures failed: ${String(error)}`),
    );
    log.markFirstByte();
    log.finish(200, translated.blocked ? "blocked" : "ok");
    return Response.json(translated.body);
  }

  const result = await throughPool<Response>(c, log, model, {
    spec: { path: `models/${model.id}:streamGenerateContent`, query: { alt: "sse" }, stream: true, body },
    accept: async (response) => ({ ok: true, value: response }),
  });
  if (!result.ok) return openAIFailure(result.failure);
  const translator = new ChatStreamTranslator({
    id: completionId,
    created,
    model: request.model,
    includeUsage: request.stream_options?.include_usage === true,
  });
  const stream = pipeChatStream({
    upstream: result.value,
    translator,
    keepAliveMs: settings.keepAliveSeconds * 1000,
    onFirstByte: () => log.markFirstByte(),
    beforeClose: () => rememberSignatures(c.env.DB, translator.signatures),
    onEnd: ({ error, aborted }) => {
      log.tokens = translator.usage;
      if (aborted) log.finish(499, "aborted", "client_disconnected");
      else if (error !== null) log.finish(200, "upstream_error", "stream_error");
      else log.finish(200, translator.blocked ? "blocked" : "ok");
    },
  });
  c.executionCtx.waitUntil(stream.done);
  return new Response(stream.body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
    },
  });
}

export function translationErrorResponse(error: unknown): Response {
  if (error instanceof TranslationError) return Response.json(error.toBody(), { status: error.status });
  throw error;
}

