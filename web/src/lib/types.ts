/** Shapes of the admin API answers (see docs/panel.md and DESIGN.md §3). */

export type KeyStatus = "active" | "invalid" | "suspended" | "disabled";
export type ModelState = "ok" | "cooling" | "exhausted" | "refused";
export type Category = "pro" | "flash" | "custom";

export interface GeminiKey {
  id: string;
  name: string;
  masked: string;
  enabled: boolean;
  /** Marked paid: the only keys Imagen models run on. */
  paid: boolean;
  status: KeyStatus;
  statusReason?: string;
  models: Record<string, { state: ModelState; until?: string; reason?: string }>;
  usage: {
    day: string;
    total: number;
    byCategory: Partial<Record<Category, number>>;
    byModel: Record<string, number>;
  };
  createdAt: string;
}

export interface AddKeysResult {
  added: { id: string; name: string; masked: string }[];
  duplicates: number;
  malformed: number;
}

export interface KeyTestResult {
  ok: boolean;
  status: number;
  latencyMs: number;
  message?: string;
  keyStatus: string;
}

export interface ClientKeyOptions {
  safetyOff: boolean;
  systemAsUser: boolean;
  allowedModels: string[] | null;
  dailyLimit: number | null;
  keepAliveWhitespace: boolean;
}

export interface ClientKey {
  id: string;
  name: string;
  prefix: string;
  enabled: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  options: ClientKeyOptions;
}

export interface CreatedClientKey {
  id: string;
  name: string;
  key: string;
}

export interface ModelConfig {
  id: string;
  category: Category;
  dailyQuota: number | null;
  individualQuota: number | null;
}

export interface ModelAlias {
  alias: string;
  model: string;
  /** The target model is no longer configured. */
  broken: boolean;
}

/** Calls under a name a model alias mapped to `model` (GET /api/admin/usage/requested). */
export interface RequestedName {
  requested: string;
  model: string;
  requests: number;
  errors: number;
}

export interface AvailableModel {
  id: string;
  displayName: string;
  suggestedCategory: Category;
}

export interface Settings {
  quotas: { pro: number; flash: number };
  maxAttempts: number;
  attemptTimeoutMs: number;
  keepAliveSeconds: number;
  alwaysIncludeThoughts: boolean;
  retentionDays: number;
  retentionMaxMb: number;
  corsOrigins: string[];
}

export type PlanResource =
  | "worker_requests"
  | "kv_reads"
  | "kv_writes"
  | "kv_deletes"
  | "kv_lists"
  | "d1_rows_read"
  | "d1_rows_written";

export interface PlanToday {
  utcDay: string;
  database: { bytes: number; limitBytes: number; retentionMaxMb: number };
  resources: {
    resource: PlanResource;
    used: number;
    limit: number;
    counted: boolean;
    basis: "counted" | "estimate" | "not counted";
    how: string;
  }[];
  limitHits: { resource: string; at: string; detail: string }[];
}

export interface PoolToday {
  day: string;
  keys: { id: string; name: string; total: number; byModel: Record<string, number> }[];
  models: {
    id: string;
    category: Category;
    capacity: number | null;
    used: number;
    remaining: number | null;
    availableKeys: number;
  }[];
}

export type UsageGroupBy = "day" | "key" | "model" | "client" | "outcome";

export interface UsageRow {
  group: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  thoughtTokens: number;
  cachedTokens: number;
  totalTokens: number;
  avgLatencyMs: number;
}

export interface UsageReport {
  from: string;
  to: string;
  by: UsageGroupBy;
  rows: UsageRow[];
}

export interface UsageSeries {
  days: string[];
  series: { name: string; values: number[] }[];
}

export interface LatencySeries {
  days: string[];
  totalP50: (number | null)[];
  totalP95: (number | null)[];
  ttfbP50: (number | null)[];
  ttfbP95: (number | null)[];
}
