// The WORKER_CONFIG_KV layout (documented in docs/kv-layout.md). Every entry is written by
// the admin API only, never on the proxy path.
//   models               ModelConfig[]
//   model-aliases        ModelAlias[] (src/config/model-aliases.ts)
//   settings             Settings
//   worker-keys          WorkerKeyRecord[]
//   revoked-session:<id> "1", expires with the session

export const MODELS_ENTRY = "models";
export const MODEL_ALIASES_ENTRY = "model-aliases";
export const SETTINGS_ENTRY = "settings";
export const WORKER_KEYS_ENTRY = "worker-keys";

export function revokedSessionEntry(sessionId: string): string {
  return `revoked-session:${sessionId}`;
}
