import type { GenerateContentResponse } from "../../gemini/types";
import { pinToOwner } from "../../files/pin";
import { collectRemoteMediaUrls, collectToolCallIds, resolveModelName, toGeminiChatRequest } from "../../openai/request";
import { toChatCompletion } from "../../openai/response";
import { parseChatRequest, type ChatCompletionRequest } from "../../openai/schemas";
import { openAIError } from "../../openai/errors";
import { ChatStreamTranslator, SSE_DONE, sseEvent } from "../../openai/stream";
import { lookupSignatures } from "../../signatures/signature-store";
import { randomToken } from "../../util/crypto";
import { redactSecrets } from "../../util/redact";
import { chatProtocol } from "../chat-stream";
import { openAIFailure } from "../errors";
import { acceptGenerateReply, jsonAnswer } from "../generate-reply";
import { streamAnswer } from "../stream-answer";
import type { Answer, CallDeps, FrontDoor } from "../front-door";
import { readJsonBody } from "../read-body";
import { fetchRemoteMedia } from "../remote-media";

interface ChatCall {
  body: ChatCompletionRequest;
  modelId: string;
  webSearch: boolean;
  id: string;
  created: number;
}

/** POST /v1/chat/completions: OpenAI Chat Completions over generateContent / streamGenerateContent. */
export const chatDoor: FrontDoor<ChatCall, GenerateContentResponse | Response> = {
  endpoint: () => "chat",
  renderFailure: openAIFailure,
  streamFailure: (failure) =>
    sseEvent(openAIError(redactSecrets(failure.message), failure.type, failure.code, failure.param ?? null)) + SSE_DONE,

  async parse(request, deps) {
    const body = parseChatRequest(await readJsonBody(request));
    const { model, webSearch } = resolveModelName(body.model);
    return { body, modelId: model, webSearch, id: `chatcmpl-${randomToken(18)}`, created: Math.floor(deps.receivedAt / 1000) };
  },
  modelId: (call) => call.modelId,
  streamed: (call) => call.body.stream === true,

  async prepare(call, model, deps) {
    const { options } = deps.clientKey;
    const [signatures, remoteMedia] = await Promise.all([
      // D1 failing here costs the thought signatures (Google's documented dummy stands in), not the call.
      lookupSignatures(deps.env.DB, collectToolCallIds(call.body)).catch((error: unknown) => {
        console.error(`looking up thought signatures failed: ${String(error)}`);
        return new Map<string, string>();
      }),
      fetchRemoteMedia(collectRemoteMediaUrls(call.body)),
    ]);
    const body = toGeminiChatRequest(call.body, {
      upstreamModel: model.id,
      webSearch: call.webSearch,
      safetyOff: options.safetyOff,
      systemAsUser: options.systemAsUser,
      alwaysIncludeThoughts: deps.config.settings.alwaysIncludeThoughts,
      signatures,
      remoteMedia,
    });
    // A `file_id` part or `cached_content` runs on the one key that holds it.
    const pin = await pinToOwner(body, deps.env, deps.clientKey.id);
    return call.body.stream === true
      ? { path: `models/${model.id}:streamGenerateContent`, query: { alt: "sse" }, stream: true, body, ...pin }
      : { path: `models/${model.id}:generateContent`, body, ...pin };
  },

  accept: (response, call) => acceptGenerateReply(response, call.body.stream === true),

  async answer(reply, call, { deps, markFirstByte }) {
    if (reply instanceof Response) return chatStream(reply, call, deps, markFirstByte);
    return jsonAnswer(toChatCompletion(reply, { id: call.id, created: call.created, model: call.body.model }), deps);
  },
};

/** Each upstream event translated and forwarded as it arrives; the ledger row when it ends. */
function chatStream(upstream: Response, call: ChatCall, deps: CallDeps, markFirstByte: () => void): Answer {
  const translator = new ChatStreamTranslator({
    id: call.id,
    created: call.created,
    model: call.body.model,
    includeUsage: call.body.stream_options?.include_usage === true,
  });
  return streamAnswer(upstream, chatProtocol(translator), translator, deps, markFirstByte);
}
