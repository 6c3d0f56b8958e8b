// The admin API's answers as the server builds them (see docs/admin-api.md). Type-only imports:
// esbuild erases them, so no server code reaches web/dist. Named server types where the server
// has one; an answer built inline in a route is read from the route's own type (Hono's schema).
import type { ExtractSchema } from "hono/types";
import type { ModelHealth } from "../../../src/admin/gemini-key-item";
import type { geminiKeyRoutes } from "../../../src/admin/gemini-key-routes";
import type { usageRoutes } from "../../../src/admin/usage-routes";
import type { workerKeyRoutes } from "../../../src/admin/worker-key-routes";

export type { AdminKeyStatus as KeyStatus, GeminiKeyItem as GeminiKey } from "../../../src/admin/gemini-key-item";
export type { PoolToday } from "../../../src/admin/pool-today";
export type { AliasItem as ModelAlias } from "../../../src/config/model-alias-admin";
export type {
  ModelCategory as Category,
  ModelConfig,
  Settings,
  WorkerKeyOptions as ClientKeyOptions,
} from "../../../src/config/schemas";
export type { AvailableModel } from "../../../src/gemini/model-listing";
export type { MediaFigures } from "../../../src/usage/media-report";
export type { PlanToday } from "../../../src/usage/plan-today";
export type { PlanResource } from "../../../src/usage/plan-usage";
export type { LatencySeries, TotalsGroup as UsageGroupBy, UsageSeries } from "../../../src/usage/report";
export type { RequestedNameRow as RequestedName } from "../../../src/usage/requested-names";

/** What a route answers when it succeeds (its admin error answers, `{error}`, left out). */
type Answer<Routes, Path extends keyof ExtractSchema<Routes>, Method extends keyof ExtractSchema<Routes>[Path]> = Exclude<
  ExtractSchema<Routes>[Path][Method] extends { output: infer Output } ? Output : never,
  { error: unknown }
>;

export type ModelState = ModelHealth["state"];

export type AddKeysResult = Answer<typeof geminiKeyRoutes, "/gemini-keys", "$post">;
export type KeyTestResult = Answer<typeof geminiKeyRoutes, "/gemini-keys/:id/test", "$post">;

export type ClientKey = Answer<typeof workerKeyRoutes, "/worker-keys", "$get">[number];
export type CreatedClientKey = Answer<typeof workerKeyRoutes, "/worker-keys", "$post">;

export type UsageReport = Answer<typeof usageRoutes, "/usage", "$get">;
export type UsageRow = UsageReport["rows"][number];
