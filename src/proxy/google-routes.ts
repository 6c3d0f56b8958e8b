import { Hono, type Context } from "hono";
import { clientAuth, type ProxyEnv } from "./client-auth";
import { internalFailure, logInternalError } from "./errors";
import { googleError, googleFailure } from "./google-errors";

/**
 * A Hono app for Google-style routes (/v1beta, /upload/v1beta): the client key also as
 * `x-goog-api-key` or `?key=`, and every refusal or bug answered in Google's error shape.
 * Add the routes, then `unknownEndpoint` last.
 */
export function googleStyleRoutes(): Hono<ProxyEnv> {
  const routes = new Hono<ProxyEnv>();
  routes.use(
    "*",
    clientAuth({
      allowGoogleStyle: true,
      onDenied: () => googleError(401, "API key not valid. Use a client key created in the admin panel."),
    }),
  );
  // A bug outside a call's pipeline answers in Google's shape, without internals or secrets.
  routes.onError((error, c) => {
    logInternalError(c.req.raw, error);
    return googleFailure(internalFailure());
  });
  return routes;
}

export function unknownEndpoint(c: Context): Response {
  return googleError(404, `Unknown endpoint ${c.req.method} ${new URL(c.req.url).pathname}.`);
}
