import { Hono } from "hono";
import { callDeps } from "./call-deps";
import { runCall } from "./call-pipeline";
import { clientAuth, type ProxyEnv } from "./client-auth";
import { chatDoor } from "./doors/chat";
import { embeddingsDoor } from "./doors/embeddings";
import { imagesEditsDoor, imagesGenerationsDoor } from "./doors/images";
import { responsesDoor } from "./doors/responses";
import { speechDoor } from "./doors/speech";
import { transcriptionDoor } from "./doors/transcription";
import { errorResponse, internalFailure, logInternalError, openAIFailure } from "./errors";
import { messagesRoutes } from "./messages-routes";
import { getModel, listModels } from "./models";

/** The OpenAI-compatible API under /v1. */
export const openaiRoutes = new Hono<ProxyEnv>();

// Before the OpenAI key check: /v1/messages answers in Anthropic's shape, its refusals too.
openaiRoutes.route("/messages", messagesRoutes);
openaiRoutes.use("*", clientAuth({ allowGoogleStyle: false }));
openaiRoutes.post("/chat/completions", (c) => runCall(chatDoor, c.req.raw, callDeps(c)));
openaiRoutes.post("/embeddings", (c) => runCall(embeddingsDoor, c.req.raw, callDeps(c)));
openaiRoutes.post("/responses", (c) => runCall(responsesDoor, c.req.raw, callDeps(c)));
openaiRoutes.post("/images/generations", (c) => runCall(imagesGenerationsDoor, c.req.raw, callDeps(c)));
openaiRoutes.post("/images/edits", (c) => runCall(imagesEditsDoor, c.req.raw, callDeps(c)));
openaiRoutes.post("/audio/speech", (c) => runCall(speechDoor, c.req.raw, callDeps(c)));
openaiRoutes.post("/audio/transcriptions", (c) => runCall(transcriptionDoor, c.req.raw, callDeps(c)));
openaiRoutes.get("/models", listModels);
openaiRoutes.get("/models/:id{.+}", getModel);
openaiRoutes.all("*", (c) =>
  errorResponse(404, `Unknown endpoint ${c.req.method} ${new URL(c.req.url).pathname}.`, "invalid_request_error", "unknown_url"),
);
// A bug outside a call's pipeline answers in this front door's own shape, without internals or secrets.
openaiRoutes.onError((error, c) => {
  logInternalError(c.req.raw, error);
  return openAIFailure(internalFailure());
});
