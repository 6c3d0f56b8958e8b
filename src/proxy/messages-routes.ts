import { Hono } from "hono";
import { anthropicAuthFailure, anthropicError, anthropicFailure } from "../anthropic/errors";
import { callDeps } from "./call-deps";
import { runCall } from "./call-pipeline";
import { clientAuth, type ProxyEnv } from "./client-auth";
import { countTokensDoor } from "./doors/count-tokens";
import { messagesDoor } from "./doors/messages";
import { internalFailure, logInternalError } from "./errors";

/**
 * Anthropic's Messages API under /v1/messages, for Claude Code and the Anthropic SDKs: the client
 * key as `x-api-key` or `Authorization: Bearer`, every answer (a refused key, an unknown path, a
 * bug) in Anthropic's shape. `?beta=true` and the anthropic-version / anthropic-beta headers are
 * accepted and change nothing.
 */
export const messagesRoutes = new Hono<ProxyEnv>();

messagesRoutes.use("*", clientAuth({ allowGoogleStyle: false, onDenied: anthropicAuthFailure }));
messagesRoutes.post("/", (c) => runCall(messagesDoor, c.req.raw, callDeps(c)));
messagesRoutes.post("/count_tokens", (c) => runCall(countTokensDoor, c.req.raw, callDeps(c)));
messagesRoutes.all("*", (c) =>
  Response.json(anthropicError("not_found_error", `Unknown endpoint ${c.req.method} ${new URL(c.req.url).pathname}.`), { status: 404 }),
);
messagesRoutes.onError((error, c) => {
  logInternalError(c.req.raw, error);
  return anthropicFailure(internalFailure());
});
