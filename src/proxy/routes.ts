import { Hono } from "hono";
import { chatCompletions } from "./chat";
import { clientAuth, type ProxyEnv } from "./client-auth";
import { embeddings } from "./embeddings";
import { errorResponse, logInternalError } from "./errors";
import { getModel, listModels } from "./models";

/** The OpenAI-compatible API under /v1. */
export const openaiRoutes = new Hono<ProxyEnv>();

openaiRoutes.use("*", clientAuth({ allowGoogleStyle: false }));
openaiRoutes.post("/chat/completions", chatCompletions);
openaiRoutes.post("/embeddings", embeddings);
openaiRoutes.get("/models", listModels);
openaiRoutes.get("/models/:id{.+}", getModel);
openaiRoutes.all("*", (c) =>
  errorResponse(404, `Unknown endpoint ${c.req.method} ${new URL(c.req.url).pathname}.`, "invalid_request_error", "unknown_url"),
);
// A bug answers in this front door's own shape, without internals or secrets.
openaiRoutes.onError((error, c) => {
  logInternalError(c.req.raw, error);
  return errorResponse(500, "Internal error in the proxy; see the Worker logs.", "server_error", "internal_error");
});
