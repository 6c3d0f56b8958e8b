// Seeds the product through its admin API, as the panel does: login (session cookie), then
// writes with an Origin header equal to the server's origin.
import { adminClient } from "../lib.mjs";

export const MODELS = [
  { id: "gemini-2.5-flash", category: "flash" },
  { id: "gemini-2.5-pro", category: "pro" },
  { id: "gemini-3-flash-preview", category: "flash" },
];

/**
 * Gemini keys, the models, client keys (the first one with a daily limit) and quotas high
 * enough that the run never meets the local per-key quota. Returns the client keys, the
 * settings and how many admin requests it took.
 */
export async function seed(base, password, { geminiKeys, clientCount, dailyLimit }) {
  const admin = adminClient(base);
  await admin.call("POST", "/api/auth/login", { password });
  const current = await admin.call("GET", "/api/admin/settings");
  const settings = await admin.call("PUT", "/api/admin/settings", {
    ...current,
    quotas: { pro: 10_000_000, flash: 10_000_000 },
  });
  const added = await admin.call("POST", "/api/admin/gemini-keys", { keys: geminiKeys });
  if (added.added.length !== geminiKeys.length) throw new Error(`gemini-keys answered ${JSON.stringify(added)}`);
  for (const model of MODELS) await admin.call("POST", "/api/admin/models", model);
  const clients = [];
  for (let i = 0; i < clientCount; i++) {
    const created = await admin.call("POST", "/api/admin/worker-keys", { name: `agent-${i + 1}` });
    clients.push({ name: created.name, key: created.key, dailyLimit: null });
  }
  const limited = (await admin.call("GET", "/api/admin/worker-keys")).find((k) => k.name === clients[0].name);
  await admin.call("PATCH", `/api/admin/worker-keys/${limited.id}`, { options: { dailyLimit } });
  clients[0].dailyLimit = dailyLimit;
  await modelsVisible(base, clients[0].key);
  return { clients, settings, adminRequests: admin.requests };
}

/** Waits until the proxy's config cache shows every seeded model. */
async function modelsVisible(base, clientKey) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${clientKey}` } });
    const text = await res.text();
    if (res.ok && MODELS.every((m) => text.includes(m.id))) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error("the seeded models never appeared in /v1/models");
}
