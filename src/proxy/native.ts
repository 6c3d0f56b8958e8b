import type { Context } from "hono";
import { Hono } from "hono";
import type { GenerateContentResponse } from "../gemini/types";
import { TranslationError } from "../openai/errors";
import { isEmptyReply } from "../openai/response";
import { hasTokenCounts, usageFromGemini } from "../openai/usage";
import { CallLog } from "./call-log";
import { clientAuth, type ProxyEnv } from "./client-auth";
import { logInternalError } from "./errors";
import { googleError, googleFailure } from "./google-errors";
import { passThroughStream } from "./native-stream";
import { readJsonBody } from "./read-body";
import { clientLimitReached, configuredModel } from "./resolve-model";
import { throughPool } from "./through-pool";

const METHODS = ["generateContent", "streamGenerateContent", "countTokens", "embedContent", "batchEmbedContents"] as const;
type NativeMethod = (typeof METHODS)[number];

/** Gemini's own REST API under /v1beta, served through the same pool, failover and ledger. */
export const nativeRoutes = new Hono<ProxyEnv>();

nativeRoutes.use(
  "*",
  clientAuth({
    allowGoogleStyle: true,
    onDenied: () => googleError(401, "API key not valid. Use a client key created in the admin panel."),
  }),
);

nativeRoutes.get("/models", (c) => {
  const allowed = c.get("clientKey").options.allowedModels;
  const models = c
    .get("config")
    .models.filter((m) => allowed === null || allowed.includes(m.id))
    .map((m) => describeModel(m.id));
  return c.json({ models });
});

nativeRoutes.get("/models/:model{[^:]+}", (c) => {
  const model = configuredModel(c, c.req.param("model"));
  if (model instanceof Response) return googleError(404, `models/${c.req.param("model")} is not found.`);
  return c.json(describeModel(model.id));
});

nativeRoutes.post("/models/:call{.+}", async (c) => {
  const call = c.req.param("call");
  const separator = call.lastIndexOf(":");
  const modelId = call.slice(0, separator);
  const method = call.slice(separator + 1) as NativeMethod;
  if (separator <= 0 || !METHODS.includes(method)) {
    return googleError(404, `Unknown method ${call}; supported: ${METHODS.join(", ")}.`);
  }
  return nativeCall(c, modelId, method);
});

nativeRoutes.all("*", (c) => googleError(404, `Unknown endpoint ${c.req.method} ${new URL(c.req.url).pathname}.`));
// A bug answers in Google's shape, without internals or secrets.
nativeRoutes.onError((error, c) => {
  logInternalError(c.req.raw, error);
  return googleError(500, "Internal error in the proxy; see the Worker logs.");
});

async function nativeCall(c: Context<ProxyEnv>, modelId: string, method: NativeMethod): Promise<Response> {
  let body: unknown;
  try {
    body = await readJsonBody(c.req.raw);
  } catch (error) {
    if (error instanceof TranslationError) return googleError(error.status, error.message);
    throw error;
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) return googleError(400, "The request body must be a JSON object.");
  const model = configuredModel(c, modelId);
  if (model instanceof Response) return googleError(404, `models/${modelId} is not found or not enabled on this proxy.`);
  const limited = await clientLimitReached(c);
  if (limited) return googleError(429, "This client key's daily request limit is used up.");

  const streamed = method === "streamGenerateContent";
  const log = new CallLog(c, { endpoint: `native:${method}`, model: model.id, category: model.category, streamed });
  const query: Record<string, string> = {};
  const alt = new URL(c.req.url).searchParams.get("alt");
  if (alt) query.alt = alt;

  const result = await throughPool<Response | object>(c, log, model, {
    spec: { path: `models/${model.id}:${method}`, query, stream: streamed, body },
    // countTokens is free at Google and does not count against a key's daily quota.
    charge: method !== "countTokens",
    accept: async (response) => {
      if (streamed) return { ok: true, value: response };
      const reply = (await response.json()) as object;
      if (method === "generateContent" && isEmptyReply(reply as GenerateContentResponse)) {
        return { ok: false, failure: { kind: "empty", message: "empty reply" } };
      }
      return { ok: true, value: reply };
    },
  });
  if (!result.ok) return googleFailure(result.failure);

  if (result.value instanceof Response) {
    const upstream = result.value;
    const stream = passThroughStream(upstream, {
      onFirstByte: () => log.markFirstByte(),
      onEnd: ({ usage, aborted, error }) => {
        if (usage) log.tokens = usage;
        if (error !== null) log.finish(200, "upstream_error", "stream_error");
        else if (aborted) log.finish(499, "aborted", "client_disconnected");
        else log.finish(200, "ok");
      },
    });
    c.executionCtx.waitUntil(stream.done);
    return new Response(stream.body, {
      headers: { "content-type": upstream.headers.get("content-type") ?? "text/event-stream", "cache-control": "no-cache" },
    });
  }
  const reply = result.value as GenerateContentResponse;
  if (hasTokenCounts(reply.usageMetadata)) log.tokens = usageFromGemini(reply.usageMetadata);
  log.markFirstByte();
  log.finish(200, reply.promptFeedback?.blockReason ? "blocked" : "ok");
  return Response.json(reply);
}

function describeModel(id: string): object {
  const embedding = /embed/i.test(id);
  return {
    name: `models/${id}`,
    baseModelId: id,
    displayName: id,
    supportedGenerationMethods: embedding
      ? ["embedContent", "batchEmbedContents"]
      : ["generateContent", "streamGenerateContent", "countTokens"],
  };
}
