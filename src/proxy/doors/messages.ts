import { collectMediaUrls, collectToolUseIds } from "../../anthropic/content";
import { anthropicFailure, anthropicStreamError } from "../../anthropic/errors";
import { toGeminiMessagesRequest } from "../../anthropic/request";
import { toAnthropicMessage } from "../../anthropic/response";
import { parseMessagesRequest, type MessagesRequest } from "../../anthropic/schemas";
import { MessagesStreamTranslator, type MessageContext } from "../../anthropic/stream";
import type { GenerateContentResponse } from "../../gemini/types";
import { lookupSignatures } from "../../signatures/signature-store";
import { randomToken } from "../../util/crypto";
import type { Answer, CallDeps, FrontDoor } from "../front-door";
import { messagesProtocol } from "../messages-stream";
import { readJsonBody } from "../read-body";
import { fetchRemoteMedia } from "../remote-media";
import { acceptGenerateReply, jsonAnswer } from "../generate-reply";
import { streamAnswer } from "../stream-answer";

interface MessagesCall {
  body: MessagesRequest;
  id: string;
  /** set by prepare: what the answer carries */
  thinkingBlocks: boolean;
  singleToolCall: boolean;
}

/** POST /v1/messages: Anthropic's Messages API over generateContent / streamGenerateContent. */
export const messagesDoor: FrontDoor<MessagesCall, GenerateContentResponse | Response> = {
  endpoint: () => "messages",
  renderFailure: anthropicFailure,
  // A failure after the pipeline's early SSE headers (a long silence from Google): Anthropic's error event.
  streamFailure: (failure) => anthropicStreamError(failure),

  async parse(request) {
    const body = parseMessagesRequest(await readJsonBody(request));
    return { body, id: `msg_${randomToken(18)}`, thinkingBlocks: false, singleToolCall: false };
  },
  // The requested name goes to the pipeline as is: it resolves aliases (claude-* -> a Gemini model).
  modelId: (call) => call.body.model,
  streamed: (call) => call.body.stream === true,

  async prepare(call, model, deps) {
    const [signatures, remoteMedia] = await Promise.all([
      // D1 failing here costs the remembered signatures (the thinking blocks or Google's dummy stand in), not the call.
      lookupSignatures(deps.env.DB, collectToolUseIds(call.body.messages)).catch((error: unknown) => {
        console.error(`looking up thought signatures failed: ${String(error)}`);
        return new Map<string, string>();
      }),
      fetchRemoteMedia(collectMediaUrls(call.body.messages)),
    ]);
    const translated = toGeminiMessagesRequest(call.body, {
      upstreamModel: model.id,
      safetyOff: deps.clientKey.options.safetyOff,
      systemAsUser: deps.clientKey.options.systemAsUser,
      signatures,
      remoteMedia,
    });
    call.thinkingBlocks = translated.thinkingBlocks;
    call.singleToolCall = translated.singleToolCall;
    return call.body.stream === true
      ? { path: `models/${model.id}:streamGenerateContent`, query: { alt: "sse" }, stream: true, body: translated.body }
      : { path: `models/${model.id}:generateContent`, body: translated.body };
  },

  accept: (response, call) => acceptGenerateReply(response, call.body.stream === true),

  async answer(reply, call, { deps, markFirstByte }) {
    if (reply instanceof Response) return messagesStream(reply, call, deps, markFirstByte);
    return jsonAnswer(toAnthropicMessage(reply, context(call)), deps);
  },
};

function context(call: MessagesCall): MessageContext {
  return {
    id: call.id,
    model: call.body.model,
    thinkingBlocks: call.thinkingBlocks,
    singleToolCall: call.singleToolCall,
    stopSequences: (call.body.stop_sequences ?? []).filter((stop) => stop !== ""),
  };
}

/** Each upstream event translated and forwarded as it arrives; the ledger row when it ends. */
function messagesStream(upstream: Response, call: MessagesCall, deps: CallDeps, markFirstByte: () => void): Answer {
  const translator = new MessagesStreamTranslator(context(call));
  return streamAnswer(upstream, messagesProtocol(translator), translator, deps, markFirstByte);
}
