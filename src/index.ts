import { buildApp } from "./app";
import { scheduled } from "./cron";
import type { Env } from "./env";
import { IsolateRuntime } from "./runtime/runtime";

/** This isolate's state: made once here, handed to every request through the app. */
export const isolateRuntime = new IsolateRuntime();

const app = buildApp(isolateRuntime);

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => scheduled(controller, env, ctx, isolateRuntime),
} satisfies ExportedHandler<Env>;
