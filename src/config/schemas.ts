import { z } from "zod";

export const MODEL_CATEGORIES = ["pro", "flash", "custom"] as const;
export type ModelCategory = (typeof MODEL_CATEGORIES)[number];

const quota = z.number().int().min(0).max(10_000_000);

/** A model the proxy serves. Quotas are per Gemini key per Pacific day; null = no limit. */
export const modelConfigSchema = z
  .object({
    id: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "model id may hold letters, digits, . _ : -"),
    category: z.enum(MODEL_CATEGORIES),
    dailyQuota: quota.nullable().default(null),
    individualQuota: quota.nullable().default(null),
  })
  .strict();
export type ModelConfig = z.infer<typeof modelConfigSchema>;

const corsOrigin = z
  .string()
  .trim()
  .max(200)
  .regex(/^(\*|https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?|https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?)$/, 'an origin is "*" or scheme://host[:port], without a path');

export const settingsSchema = z
  .object({
    quotas: z.object({ pro: quota, flash: quota }).strict(),
    maxAttempts: z.number().int().min(1).max(10),
    attemptTimeoutMs: z.number().int().min(1_000).max(600_000),
    keepAliveSeconds: z.number().int().min(0).max(120),
    alwaysIncludeThoughts: z.boolean(),
    retentionDays: z.number().int().min(1).max(3650),
    // The D1 database's size (MB) above which the oldest raw ledger rows go, whatever their age
    // (src/usage/retention.ts). The free plan stops writes at 500 MB. Optional in a PUT, so a
    // client written before the field existed still saves.
    retentionMaxMb: z.number().int().min(10).max(490).default(400),
    // Browser origins allowed to call the proxy routes (/v1, /v1beta): "*" for any (the client
    // key is a bearer token, no cookie is involved), or exact origins; [] for none. Never the admin API.
    corsOrigins: z.array(corsOrigin).max(50).default(["*"]),
  })
  .strict();
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  quotas: { pro: 100, flash: 250 },
  maxAttempts: 3,
  attemptTimeoutMs: 60_000,
  keepAliveSeconds: 15,
  alwaysIncludeThoughts: false,
  retentionDays: 90,
  retentionMaxMb: 400,
  corsOrigins: ["*"],
};

export const workerKeyOptionsSchema = z
  .object({
    safetyOff: z.boolean().default(false),
    systemAsUser: z.boolean().default(false),
    allowedModels: z.array(z.string().min(1).max(200)).max(500).nullable().default(null),
    dailyLimit: z.number().int().min(0).max(10_000_000).nullable().default(null),
    // Non-streamed calls: spaces before the JSON body while Google is silent (src/proxy/head-start.ts);
    // the status is then 200 before the outcome is known, so a failure is a JSON error body with 200.
    keepAliveWhitespace: z.boolean().default(false),
  })
  .strict();
export type WorkerKeyOptions = z.infer<typeof workerKeyOptionsSchema>;

export const DEFAULT_WORKER_KEY_OPTIONS: WorkerKeyOptions = workerKeyOptionsSchema.parse({});

/** A client ("worker") key. Only the SHA-256 of the key is stored. */
export interface WorkerKeyRecord {
  id: string;
  name: string;
  hash: string;
  prefix: string;
  enabled: boolean;
  createdAt: string;
  options: WorkerKeyOptions;
}
