import type { GenerateContentResponse } from "../../gemini/types";
import { isEmptyReply } from "../../openai/response";
import { parseTranscriptionForm, toGeminiTranscriptionRequest, transcribedAudioMs, transcriptOf, type TranscriptionRequest } from "../../openai/transcription";
import { usageFromGemini } from "../../openai/usage";
import { openAIFailure } from "../errors";
import type { FrontDoor } from "../front-door";
import { readFormBody } from "../read-form";
import { bareModelId } from "../resolve-model";

/** POST /v1/audio/transcriptions: the audio inline in a generateContent call that asks for a verbatim transcript. */
export const transcriptionDoor: FrontDoor<TranscriptionRequest, GenerateContentResponse> = {
  endpoint: () => "audio.transcriptions",
  renderFailure: openAIFailure,
  parse: async (request) => parseTranscriptionForm(await readFormBody(request)),
  modelId: (request) => bareModelId(request.model),
  streamed: () => false,
  answersJson: (request) => request.format === "json",
  prepare: async (request, model) => ({ path: `models/${model.id}:generateContent`, body: toGeminiTranscriptionRequest(request) }),
  async accept(response) {
    const reply = (await response.json()) as GenerateContentResponse;
    return isEmptyReply(reply) ? { ok: false, failure: { kind: "empty", message: "empty reply" } } : { ok: true, value: reply };
  },
  async answer(reply, request, context) {
    const text = transcriptOf(reply);
    const tokens = usageFromGemini(reply.usageMetadata);
    const media = { audioMs: transcribedAudioMs(request, reply.usageMetadata) };
    if (request.format === "json") {
      const usage = { type: "tokens", input_tokens: tokens.promptTokens, output_tokens: tokens.completionTokens, total_tokens: tokens.totalTokens };
      return { kind: "json", body: { text, usage }, end: { status: 200, outcome: "ok", tokens, media } };
    }
    context.markFirstByte();
    return {
      kind: "stream",
      response: new Response(text, { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } }),
      ended: Promise.resolve({ status: 200, outcome: "ok", tokens, media }),
    };
  },
};
