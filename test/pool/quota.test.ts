// Local daily quotas: Pro and Flash category sums per key, individual quotas inside a
// category, a daily quota per custom model, null meaning unlimited.
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, type ModelConfig, type Settings } from "../../src/config/schemas";
import { categoryUsage, quotaReached, unavailability } from "../../src/pool/availability";
import { nextPacificMidnight } from "../../src/util/pacific-day";
import type { DayCounter } from "../../src/pool/types";
import { MODELS, keyRecord } from "./harness";

const NOW = Date.parse("2026-01-15T18:00:00.000Z");
const modelsById = new Map(MODELS.map((m) => [m.id, m]));
const byId = (id: string) => modelsById.get(id)!;
const settings: Settings = { ...DEFAULT_SETTINGS, quotas: { pro: 5, flash: 10 } };
const key = keyRecord({ id: "k1", behaviour: "ok" });

function counter(models: Record<string, number>): DayCounter {
  return { day: "2026-01-15", total: Object.values(models).reduce((a, b) => a + b, 0), models };
}

function reached(model: ModelConfig, models: Record<string, number>, quotaSettings: Settings = settings) {
  return quotaReached({ key, state: undefined, counter: counter(models), model, modelsById, settings: quotaSettings, now: NOW });
}

describe("category quotas (pro, flash) sum every model of the category on the key", () => {
  it("sums only the category's models", () => {
    const used = counter({ "gemini-2.5-flash": 4, "gemini-2.5-flash-lite": 2, "gemini-2.5-pro": 3, "my-open": 50 });
    expect(categoryUsage(used, "flash", modelsById)).toBe(6);
    expect(categoryUsage(used, "pro", modelsById)).toBe(3);
    expect(categoryUsage(used, "custom", modelsById)).toBe(50);
  });

  it("flash: 9 of 10 serves, 10 of 10 stops every flash model, not pro", () => {
    expect(reached(byId("gemini-2.5-flash"), { "gemini-2.5-flash": 8, "gemini-2.5-flash-lite": 1 })).toBeNull();
    const full = { "gemini-2.5-flash": 9, "gemini-2.5-flash-lite": 1 };
    expect(reached(byId("gemini-2.5-flash"), full)).toBe("flash quota of 10 reached");
    expect(reached(byId("gemini-2.5-flash-lite"), full)).toBe("flash quota of 10 reached");
    expect(reached(byId("gemini-2.5-pro"), full)).toBeNull();
  });

  it("pro: stops at its own quota, whatever flash did", () => {
    expect(reached(byId("gemini-2.5-pro"), { "gemini-2.5-pro": 4, "gemini-2.5-flash": 9 })).toBeNull();
    expect(reached(byId("gemini-2.5-pro"), { "gemini-2.5-pro": 5 })).toBe("pro quota of 5 reached");
  });

  it("counts of models no longer configured do not count", () => {
    expect(reached(byId("gemini-2.5-flash"), { "gemini-2.5-flash": 9, "retired-model": 100 })).toBeNull();
  });

  it("a category quota of 0 stops the category", () => {
    expect(reached(byId("gemini-2.5-pro"), {}, { ...settings, quotas: { pro: 0, flash: 10 } })).toBe("pro quota of 0 reached");
  });
});

describe("individual quota inside a category", () => {
  const lite = byId("gemini-2.5-flash-lite"); // individualQuota 3

  it("stops the model at its own quota while the category still has room", () => {
    expect(reached(lite, { "gemini-2.5-flash-lite": 2 })).toBeNull();
    expect(reached(lite, { "gemini-2.5-flash-lite": 3 })).toBe("individual quota of 3 for gemini-2.5-flash-lite reached");
    expect(reached(byId("gemini-2.5-flash"), { "gemini-2.5-flash-lite": 3 })).toBeNull();
  });

  it("and still obeys the category quota below it", () => {
    expect(reached(lite, { "gemini-2.5-flash-lite": 1, "gemini-2.5-flash": 9 })).toBe("flash quota of 10 reached");
  });

  it("null means only the category quota applies", () => {
    expect(byId("gemini-2.5-flash").individualQuota).toBeNull();
    expect(reached(byId("gemini-2.5-flash"), { "gemini-2.5-flash": 9 })).toBeNull();
  });
});

describe("custom models: their own daily quota, null = unlimited", () => {
  it("stops at dailyQuota", () => {
    expect(reached(byId("my-tuned"), { "my-tuned": 1 })).toBeNull();
    expect(reached(byId("my-tuned"), { "my-tuned": 2 })).toBe("daily quota of 2 for my-tuned reached");
  });

  it("null is unlimited, and custom use never counts against pro or flash", () => {
    expect(reached(byId("my-open"), { "my-open": 10_000_000 })).toBeNull();
    expect(reached(byId("gemini-2.5-flash"), { "my-open": 10_000_000, "my-tuned": 2 })).toBeNull();
  });
});

describe("a reached quota limits the key until the next Pacific midnight", () => {
  it("answers limited with that time, and nothing when the counter is of a fresh day", () => {
    const model = byId("gemini-2.5-pro");
    const full = unavailability({ key, state: undefined, counter: counter({ "gemini-2.5-pro": 5 }), model, modelsById, settings, now: NOW });
    expect(full).toEqual({ kind: "limited", until: nextPacificMidnight(NOW), reason: "pro quota of 5 reached" });
    expect(unavailability({ key, state: undefined, counter: undefined, model, modelsById, settings, now: NOW })).toBeNull();
  });
});
