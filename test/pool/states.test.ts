// Every key state transition and its recovery rule, through nextState (what a failure does
// to a key) and unavailability (whether the key serves a model at a given moment).
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, type ModelConfig } from "../../src/config/schemas";
import type { UpstreamFailure } from "../../src/gemini/failure";
import { unavailability } from "../../src/pool/availability";
import { SUSPENDED_RECHECK_MS, nextState } from "../../src/pool/key-pool";
import { nextPacificMidnight } from "../../src/pool/pacific-day";
import type { KeyState } from "../../src/pool/types";
import { MODELS, keyRecord } from "./harness";

const NOW = Date.parse("2026-07-15T18:00:00.000Z");
const FLASH = MODELS[1]!;
const PRO = MODELS[0]!;
const modelsById = new Map(MODELS.map((m) => [m.id, m]));
const key = keyRecord({ id: "k1", behaviour: "ok" });

function blockedAt(state: KeyState | undefined, now: number, model: ModelConfig = FLASH) {
  return unavailability({ key, state, counter: undefined, model, modelsById, settings: DEFAULT_SETTINGS, now });
}

const failures = {
  minute: { kind: "rate_minute", retryAfterMs: 34_400, quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", message: "quota" },
  day: { kind: "rate_day", quotaId: "GenerateRequestsPerDayPerProjectPerModel-FreeTier", message: "quota" },
  invalid: { kind: "invalid_key", message: "API key not valid. Please pass a valid API key." },
  suspended: { kind: "suspended", message: "Permission denied: Consumer has been suspended." },
} satisfies Record<string, UpstreamFailure>;

describe("per-minute 429: cooling until RetryInfo.retryDelay", () => {
  const after = nextState(undefined, FLASH.id, failures.minute, NOW)!;

  it("cools this model only, for the delay Google gave", () => {
    expect(after.status).toBe("active");
    expect(after.models[FLASH.id]).toMatchObject({ state: "cooling", until: NOW + 34_400 });
    expect(after.models[FLASH.id]!.reason).toContain("GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
    expect(blockedAt(after, NOW)).toEqual({ kind: "limited", until: NOW + 34_400, reason: after.models[FLASH.id]!.reason });
    expect(blockedAt(after, NOW, PRO)).toBeNull();
  });

  it("recovers by itself when the delay has passed", () => {
    expect(blockedAt(after, NOW + 34_399)).not.toBeNull();
    expect(blockedAt(after, NOW + 34_400)).toBeNull();
  });

  it("a second 429 that ends about as late is no change (no KV write)", () => {
    expect(nextState(after, FLASH.id, failures.minute, NOW + 1_000)).toBe(after);
  });

  it("a later 429 that ends well after the block extends it", () => {
    const later = nextState(after, FLASH.id, failures.minute, NOW + 30_000)!;
    expect(later).not.toBe(after);
    expect(later.models[FLASH.id]!.until).toBe(NOW + 30_000 + 34_400);
  });
});

describe("per-day 429 (QuotaFailure quotaId ...PerDay...): exhausted until the next Pacific midnight", () => {
  const after = nextState(undefined, FLASH.id, failures.day, NOW)!;
  const midnight = nextPacificMidnight(NOW);

  it("blocks the model until midnight Pacific", () => {
    expect(new Date(midnight).toISOString()).toBe("2026-07-16T07:00:00.000Z");
    expect(after.models[FLASH.id]).toMatchObject({ state: "exhausted", until: midnight });
    expect(blockedAt(after, midnight - 1)).toMatchObject({ kind: "limited", until: midnight });
  });

  it("expires at midnight even if no cron run lifts it", () => {
    expect(blockedAt(after, midnight)).toBeNull();
  });

  it("a per-minute 429 never shortens it to cooling", () => {
    expect(nextState(after, FLASH.id, failures.minute, NOW + 5_000)).toBe(after);
  });

  it("a cooling key that then hits its daily quota becomes exhausted", () => {
    const cooling = nextState(undefined, FLASH.id, failures.minute, NOW)!;
    expect(nextState(cooling, FLASH.id, failures.day, NOW + 1_000)!.models[FLASH.id]!.state).toBe("exhausted");
  });
});

describe("400 API_KEY_INVALID: invalid until the admin acts", () => {
  const after = nextState(undefined, FLASH.id, failures.invalid, NOW)!;

  it("makes the key unusable for every model, with Google's reason", () => {
    expect(after.status).toBe("invalid");
    expect(blockedAt(after, NOW)).toEqual({ kind: "unusable", reason: failures.invalid.message });
    expect(blockedAt(after, NOW, PRO)).toMatchObject({ kind: "unusable" });
  });

  it("stays invalid however much time passes", () => {
    expect(blockedAt(after, NOW + 365 * 86_400_000)).toMatchObject({ kind: "unusable" });
  });

  it("a second API_KEY_INVALID is no change", () => {
    expect(nextState(after, FLASH.id, failures.invalid, NOW + 60_000)).toBe(after);
  });

  it("keeps the per-model blocks it had", () => {
    const cooling = nextState(undefined, PRO.id, failures.minute, NOW)!;
    expect(nextState(cooling, FLASH.id, failures.invalid, NOW)!.models).toEqual(cooling.models);
  });
});

describe("403: suspended, re-checked after its until", () => {
  const after = nextState(undefined, FLASH.id, failures.suspended, NOW)!;

  it("makes the key unusable until the re-check time", () => {
    expect(after).toMatchObject({ status: "suspended", since: NOW, until: NOW + SUSPENDED_RECHECK_MS });
    expect(blockedAt(after, NOW + SUSPENDED_RECHECK_MS - 1)).toMatchObject({ kind: "unusable" });
  });

  it("is tried again once until has passed", () => {
    expect(blockedAt(after, NOW + SUSPENDED_RECHECK_MS)).toBeNull();
  });

  it("a 403 during the suspension is no change; a 403 on the re-check extends it, keeping since", () => {
    expect(nextState(after, FLASH.id, failures.suspended, NOW + 60_000)).toBe(after);
    const recheck = NOW + SUSPENDED_RECHECK_MS + 1;
    expect(nextState(after, FLASH.id, failures.suspended, recheck)).toMatchObject({
      status: "suspended",
      since: NOW,
      until: recheck + SUSPENDED_RECHECK_MS,
    });
  });
});

describe("failures that are not the key's doing leave its state alone", () => {
  it.each<UpstreamFailure>([
    { kind: "overloaded", status: 503, message: "The model is overloaded." },
    { kind: "server", status: 500, message: "An internal error has occurred." },
    { kind: "network", message: "Network connection lost." },
    { kind: "timeout", message: "no answer within 60000 ms" },
    { kind: "empty", message: "empty reply" },
    { kind: "client", status: 400, googleStatus: "INVALID_ARGUMENT", message: "bad request" },
    { kind: "region", message: "User location is not supported for the API use." },
    { kind: "not_found", message: "models/x is not found" },
  ])("$kind", (failure) => {
    const cooling = nextState(undefined, PRO.id, failures.minute, NOW)!;
    expect(nextState(undefined, FLASH.id, failure, NOW)).toBeUndefined();
    expect(nextState(cooling, FLASH.id, failure, NOW)).toBeUndefined();
  });
});

describe("disabled by the admin", () => {
  it("is unusable whatever its state", () => {
    const disabled = keyRecord({ id: "k2", behaviour: "ok", enabled: false });
    const result = unavailability({ key: disabled, state: undefined, counter: undefined, model: FLASH, modelsById, settings: DEFAULT_SETTINGS, now: NOW });
    expect(result).toEqual({ kind: "unusable", reason: "disabled by the admin" });
  });
});
