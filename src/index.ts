import { buildApp } from "./app";
import { scheduled } from "./cron";
import type { Env } from "./env";

const app = buildApp();

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
