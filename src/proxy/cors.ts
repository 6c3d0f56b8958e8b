import type { Context } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../env";

/**
 * CORS for the proxy routes only (/v1, /v1beta, /upload/v1beta), never the admin API or the panel: a browser
 * client (LobeChat, ChatBox web…) sends a preflight without its key, so this answers before
 * client auth, and every actual answer, errors (401, 429) included, carries the headers.
 * The allowed origins are a setting (default any: the client key is a bearer token, no cookie
 * is involved, so no credentials are allowed). The headers a preflight asks for are allowed as
 * asked (authorization, x-api-key, x-goog-api-key, anthropic-*, openai-*, x-stainless-*…):
 * without cookies none of them lets one origin act for another.
 */
export const proxyCors = cors({
  origin: allowedOrigin,
  // PATCH and DELETE: Files and cachedContents; the upload headers: the resumable upload's second step.
  allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
  exposeHeaders: ["retry-after", "content-type", "x-goog-upload-url", "x-goog-upload-status"],
  maxAge: 7200,
});

async function allowedOrigin(origin: string, c: Context): Promise<string | null> {
  const env = c as Context<AppEnv>;
  const { config } = await env.get("runtime").view.get(env.env);
  const allowed = config.settings.corsOrigins;
  if (allowed.includes("*")) return "*";
  return allowed.includes(origin) ? origin : null;
}
