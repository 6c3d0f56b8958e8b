import type { GenerateContentResponse } from "../../gemini/types";
import { isEmptyReply } from "../../openai/response";
import { parseSpeechRequest, speechAudioOf, toGeminiSpeechRequest, type SpeechRequest } from "../../openai/speech";
import { usageFromGemini } from "../../openai/usage";
import { pcmDurationMs, pcmToWav } from "../../openai/wav";
import { openAIFailure } from "../errors";
import type { FrontDoor } from "../front-door";
import { readJsonBody } from "../read-body";
import { bareModelId } from "../resolve-model";

/**
 * POST /v1/audio/speech over a Gemini TTS model's generateContent. Google answers raw PCM
 * (16-bit mono, 24 kHz); the client gets it as is (`pcm`) or in a WAV file (`wav`).
 */
export const speechDoor: FrontDoor<SpeechRequest, GenerateContentResponse> = {
  endpoint: () => "audio.speech",
  renderFailure: openAIFailure,
  parse: async (request) => parseSpeechRequest(await readJsonBody(request)),
  modelId: (request) => bareModelId(request.model),
  streamed: () => false,
  answersJson: () => false,
  prepare: async (request, model) => ({ path: `models/${model.id}:generateContent`, body: toGeminiSpeechRequest(request) }),
  async accept(response) {
    const reply = (await response.json()) as GenerateContentResponse;
    return isEmptyReply(reply) ? { ok: false, failure: { kind: "empty", message: "empty reply" } } : { ok: true, value: reply };
  },
  async answer(reply, request, context) {
    const { pcm, format } = speechAudioOf(reply);
    const body = request.format === "wav" ? pcmToWav(pcm, format) : pcm;
    const contentType = request.format === "wav" ? "audio/wav" : `audio/L16;codec=pcm;rate=${format.sampleRate}`;
    context.markFirstByte();
    return {
      kind: "stream",
      response: new Response(body, { status: 200, headers: { "content-type": contentType, "content-length": String(body.byteLength) } }),
      // Prompt tokens count the text read; completion tokens the audio (Google's usage).
      ended: Promise.resolve({
        status: 200,
        outcome: "ok",
        tokens: usageFromGemini(reply.usageMetadata),
        // The characters of the input read aloud (code points, not UTF-16 units), and the audio made.
        media: { speechCharacters: [...request.input].length, audioMs: pcmDurationMs(pcm.byteLength, format) },
      }),
    };
  },
};
