// Upstream trouble through the fake's control API, and what the fake saw. One key is invalid
// (API_KEY_INVALID) from the start; between bursts, one-shot failures (a per-minute 429 with
// RetryInfo/QuotaFailure, or a 503) are queued on random healthy keys so that about
// `rate` of the calls meet a failure and are served by another key.
import { fakeGeminiControl } from "../../test/fake-gemini/control-client.mjs";

const GENERATE = new Set(["generateContent", "streamGenerateContent"]);

/** The fake signs tool calls with base64("fake-thought-signature-…"). */
function signatureOrigin(body) {
  for (const content of body?.contents ?? []) {
    for (const part of content.parts ?? []) {
      if (!part.functionCall) continue;
      const text = Buffer.from(String(part.thoughtSignature ?? ""), "base64").toString("utf8");
      return text.startsWith("fake-thought-signature-") ? "remembered" : "other";
    }
  }
  return null;
}

export async function failureInjector({ fakeUrl, keys, rate, rng }) {
  const control = fakeGeminiControl(fakeUrl);
  await control.reply({ functionCall: { name: "get_weather", args: { city: "Paris" } } });
  const [invalidKey, ...healthy] = keys;
  await control.setKey(invalidKey, "invalid");
  let queued = 0;
  const tally = { attempts: 0, failed: 0, byStatus: {}, byOutcome: {}, onceConsumed: 0, followUpSignatures: {} };

  /** Reads and forgets the fake's request log (call between bursts, nothing in flight). */
  async function collect() {
    const requests = await control.requests();
    await control.clearRequests();
    for (const r of requests) {
      if (!GENERATE.has(r.action)) continue;
      tally.attempts++;
      tally.byStatus[r.status] = (tally.byStatus[r.status] ?? 0) + 1;
      if (r.status !== 200) {
        tally.failed++;
        tally.byOutcome[r.outcome] = (tally.byOutcome[r.outcome] ?? 0) + 1;
      }
      if (String(r.outcome).startsWith("once:")) tally.onceConsumed++;
      const origin = signatureOrigin(r.body);
      if (origin) tally.followUpSignatures[origin] = (tally.followUpSignatures[origin] ?? 0) + 1;
    }
  }

  /** Queues one-shot failures so failures (seen + still queued) reach rate × calls by then. */
  async function topUp(callsByThen) {
    const pending = queued - tally.onceConsumed;
    const need = Math.round(rate * callsByThen) - tally.failed - pending;
    for (let i = 0; i < need; i++) {
      const key = healthy[Math.floor(rng() * healthy.length)];
      await control.script(key, [rng() < 0.6 ? "rate_limit_minute" : "overloaded"]);
      queued++;
    }
  }

  return { collect, topUp, tally, queued: () => queued };
}
