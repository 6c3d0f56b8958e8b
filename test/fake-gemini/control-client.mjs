// A typed client for the fake's /__control API, for tests running in another process.

/**
 * @param {string} baseUrl the fake's URL, e.g. http://127.0.0.1:40123
 */
export function fakeGeminiControl(baseUrl) {
  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   */
  async function call(method, path, body) {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    }).catch((err) => {
      throw new Error(`fake-gemini ${method} ${path} failed: ${err?.cause?.message ?? err?.message ?? err}`);
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`fake-gemini ${method} ${path} -> ${res.status}: ${text}`);
    return JSON.parse(text);
  }
  return {
    url: baseUrl,
    /** Forget every behaviour, script, reply, setting and recorded request. */
    reset: () => call("POST", "/__control/reset", {}),
    /**
     * Standing behaviour for one or more keys: ok | rate_limit_minute | rate_limit_day | invalid | suspended |
     * overloaded | internal | empty | region | slow:<ms> | stream_error_after_first_chunk | stream_abort_after_first_chunk
     * @param {string | string[]} key
     * @param {string} behaviour
     */
    setKey: (key, behaviour) => call("POST", "/__control/keys", Array.isArray(key) ? { keys: key, behaviour } : { key, behaviour }),
    /**
     * Queue one-shot responses for the next calls with this key (see OnceItem in state.mjs).
     * @param {string} key
     * @param {import("./state.mjs").OnceItem[]} once
     */
    script: (key, once) => call("POST", "/__control/keys", { key, once }),
    /**
     * Billing of one or more keys: "free" keys get Google's 400 on Imagen (:predict); keys are "paid" until marked.
     * @param {string | string[]} key
     * @param {"free" | "paid"} tier
     */
    setTier: (key, tier) => call("POST", "/__control/keys", Array.isArray(key) ? { keys: key, tier } : { key, tier }),
    /** @returns {Promise<any>} what is configured, with the files and cachedContents held and the key owning each */
    state: () => call("GET", "/__control/state"),
    /** @param {import("./replies.mjs").ReplyConfig} config the default answer ({} restores "Hello from fake Gemini") */
    reply: (config) => call("POST", "/__control/reply", config),
    /** @param {{ unknownKeys?: "ok" | "invalid", retryDelay?: string }} settings */
    settings: (settings) => call("POST", "/__control/settings", settings),
    /** @param {string} id @param {{ embed?: boolean }} [opts] */
    addModel: (id, opts = {}) => call("POST", "/__control/models", { id, ...opts }),
    /** @returns {Promise<import("./state.mjs").RecordedRequest[]>} every request received, oldest first */
    requests: async () => (await call("GET", "/__control/requests")).requests,
    clearRequests: () => call("DELETE", "/__control/requests"),
  };
}
