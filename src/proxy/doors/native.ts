import { pinToOwner } from "../../files/pin";
import type { GenerateContentResponse } from "../../gemini/types";
import { isEmptyReply } from "../../openai/response";
import { hasTokenCounts, usageFromGemini } from "../../openai/usage";
import type { Answer, CallEnd, FrontDoor } from "../front-door";
import { redactSecrets } from "../../util/redact";
import { googleErrorBody, googleFailure } from "../google-errors";
import { passThroughStream } from "../native-stream";
import { readJsonObject } from "../read-body";

export const NATIVE_METHODS = ["generateContent", "streamGenerateContent", "countTokens", "embedContent", "batchEmbedContents"] as const;
export type NativeMethod = (typeof NATIVE_METHODS)[number];

interface NativeCall {
  modelId: string;
  method: NativeMethod;
  body: object;
  alt: string | null;
}

/**
 * Gemini's own REST API under /v1beta (`models/{model}:{method}`), passed through as Google
 * answers it, over the same pool, failover and ledger.
 */
export function nativeDoor(modelId: string, method: NativeMethod): FrontDoor<NativeCall, object | Response> {
  return {
    endpoint: () => `native:${method}`,
    renderFailure: googleFailure,
    // Google's own mid-stream error event, as its SDKs read it (an `error` object in a data line).
    streamFailure: (failure) => `data: ${JSON.stringify(googleErrorBody(failure.status, redactSecrets(failure.message)))}\r\n\r\n`,

    async parse(request) {
      const body = await readJsonObject(request);
      return { modelId, method, body, alt: new URL(request.url).searchParams.get("alt") };
    },
    modelId: (call) => call.modelId,
    streamed: (call) => call.method === "streamGenerateContent",
    // countTokens is free at Google and does not count against a key's daily quota.
    charges: (call) => call.method !== "countTokens",

    // `fileData` naming an uploaded file, or `cachedContent`, runs on the one key that holds it.
    prepare: async (call, model, deps) => ({
      path: `models/${model.id}:${call.method}`,
      ...(call.alt ? { query: { alt: call.alt } } : {}),
      stream: call.method === "streamGenerateContent",
      body: call.body,
      ...(await pinToOwner(call.body, deps.env, deps.clientKey.id)),
    }),

    async accept(response, call) {
      if (call.method === "streamGenerateContent") return { ok: true, value: response };
      const reply = (await response.json()) as object;
      if (call.method === "generateContent" && isEmptyReply(reply as GenerateContentResponse)) {
        return { ok: false, failure: { kind: "empty", message: "empty reply" } };
      }
      return { ok: true, value: reply };
    },

    async answer(reply, _call, { deps, markFirstByte }): Promise<Answer> {
      if (reply instanceof Response) {
        let ended!: (end: CallEnd) => void;
        const endedPromise = new Promise<CallEnd>((resolve) => (ended = resolve));
        const stream = passThroughStream(reply, {
          onFirstByte: markFirstByte,
          onEnd: ({ usage, aborted, error }) => {
            const tokens = usage ?? undefined;
            if (error !== null) ended({ status: 200, outcome: "upstream_error", code: "stream_error", tokens });
            else if (aborted) ended({ status: 499, outcome: "aborted", code: "client_disconnected", tokens });
            else ended({ status: 200, outcome: "ok", tokens });
          },
        });
        deps.waitUntil(stream.done);
        return {
          kind: "stream",
          ended: endedPromise,
          response: new Response(stream.body, {
            headers: { "content-type": reply.headers.get("content-type") ?? "text/event-stream", "cache-control": "no-cache" },
          }),
        };
      }
      const generated = reply as GenerateContentResponse;
      const tokens = hasTokenCounts(generated.usageMetadata) ? usageFromGemini(generated.usageMetadata) : undefined;
      return { kind: "json", body: reply, end: { status: 200, outcome: generated.promptFeedback?.blockReason ? "blocked" : "ok", tokens } };
    },
  };
}
