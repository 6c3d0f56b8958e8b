// The /__control routes tests use to program the fake and read what reached it.

import { BEHAVIOURS } from "./behaviours.mjs";
import { anyFixtureExists } from "./fixtures.mjs";
import { jsonResponse } from "./http.mjs";
import { addModel, configureKeys, DEFAULT_SETTINGS, resetState } from "./state.mjs";

/**
 * @param {import("./state.mjs").FakeState} state
 * @param {string} method
 * @param {URL} url
 * @param {{ ok: true, value: unknown } | { ok: false }} parsed
 * @returns {Response}
 */
export function handleControl(state, method, url, parsed) {
  const route = `${method} ${url.pathname}`;
  if (!parsed.ok) return jsonResponse(400, { error: "body is not JSON" });
  const input = /** @type {any} */ (parsed.value ?? {});
  switch (route) {
    case "POST /__control/keys": {
      const problem = configureKeys(state, input);
      return problem ? jsonResponse(400, { error: problem, behaviours: BEHAVIOURS }) : jsonResponse(200, { ok: true });
    }
    case "POST /__control/reset":
      resetState(state);
      return jsonResponse(200, { ok: true });
    case "GET /__control/requests":
      return jsonResponse(200, { requests: state.requests });
    case "DELETE /__control/requests":
      state.requests = [];
      return jsonResponse(200, { ok: true });
    case "POST /__control/reply": {
      if (typeof input !== "object" || Array.isArray(input)) return jsonResponse(400, { error: "reply config must be an object" });
      if (input.fixture && !anyFixtureExists(state.fixtures, input.fixture)) {
        return jsonResponse(400, { error: `no such fixture: ${input.fixture}` });
      }
      state.reply = input;
      return jsonResponse(200, { ok: true, reply: state.reply });
    }
    case "POST /__control/settings": {
      const next = { ...state.settings, ...input };
      if (next.unknownKeys !== "ok" && next.unknownKeys !== "invalid") return jsonResponse(400, { error: "unknownKeys is ok | invalid" });
      if (typeof next.retryDelay !== "string") return jsonResponse(400, { error: "retryDelay is a string like 34.4s" });
      state.settings = { ...DEFAULT_SETTINGS, ...next };
      return jsonResponse(200, { ok: true, settings: state.settings });
    }
    case "POST /__control/models": {
      if (typeof input.id !== "string" || !input.id) return jsonResponse(400, { error: "id is required" });
      addModel(state, input.id, { embed: Boolean(input.embed) });
      return jsonResponse(200, { ok: true });
    }
    case "GET /__control/state":
      return jsonResponse(200, {
        behaviours: Object.fromEntries([...state.behaviours].map(([k, b]) => [k, b.kind === "slow" ? `slow:${b.ms}` : b.kind])),
        once: Object.fromEntries(state.once),
        reply: state.reply,
        settings: state.settings,
        models: state.models.map((m) => m.name),
        tiers: Object.fromEntries(state.tiers),
        files: [...state.files.values()].map((f) => ({ name: f.resource.name, owner: f.owner })),
        cachedContents: [...state.caches.values()].map((c) => ({ name: c.resource.name, owner: c.owner })),
      });
    default:
      return jsonResponse(404, { error: `no control route ${route}` });
  }
}
