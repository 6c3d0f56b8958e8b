import { Hono } from "hono";
import { chatCompletions } from "./chat";
import { clientAuth, type ProxyEnv } from "./client-auth";
import { embeddings } from "./embeddings";
import { errorResponse } from "./errors";
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
