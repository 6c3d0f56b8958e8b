import type { Context } from "hono";
import type { ProxyEnv } from "./client-auth";
import type { CallDeps } from "./front-door";

/** The plain dependencies of a call, taken from the route's context once. */
export function callDeps(c: Context<ProxyEnv>): CallDeps {
  return {
    runtime: c.get("runtime"),
    env: c.env,
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    signal: c.req.raw.signal,
    receivedAt: c.get("receivedAt"),
    clientKey: c.get("clientKey"),
    config: c.get("config"),
  };
}
