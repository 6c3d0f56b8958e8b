/** The settings tab: quotas, the attempt loop, keep-alive, thoughts, ledger retention, and the free plan's use today. */
import { api } from "../lib/api";
import { clear, h } from "../lib/dom";
import { t } from "../lib/i18n";
import { toast, toastError } from "../lib/toast";
import type { PlanToday, Settings } from "../lib/types";
import { emptyState, field, requiredInteger, section } from "../lib/ui";
import { planPanel } from "./plan-panel";
import type { Tab } from "./tab";

export function createSettingsTab(panel: HTMLElement): Tab {
  let settings: Settings | null = null;
  let plan: PlanToday | null = null;
  let planElement: HTMLElement | null = null;
  // Bounds mirror the Worker's validation, so the browser can point at a bad field first.
  const number = (min: number, max: number) => h("input", { type: "number", min, max, step: 1, inputmode: "numeric", required: true });
  const inputs = {
    pro: number(0, 10_000_000),
    flash: number(0, 10_000_000),
    maxAttempts: number(1, 10),
    attemptTimeoutMs: number(1000, 600_000),
    keepAliveSeconds: number(0, 120),
    retentionDays: number(1, 3650),
    retentionMaxMb: number(10, 490),
    alwaysIncludeThoughts: h("input", { type: "checkbox" }),
    corsOrigins: h("input", { type: "text", autocomplete: "off", class: "mono" }),
  };

  function fill(from: Settings): void {
    inputs.pro.value = String(from.quotas.pro);
    inputs.flash.value = String(from.quotas.flash);
    inputs.maxAttempts.value = String(from.maxAttempts);
    inputs.attemptTimeoutMs.value = String(from.attemptTimeoutMs);
    inputs.keepAliveSeconds.value = String(from.keepAliveSeconds);
    inputs.retentionDays.value = String(from.retentionDays);
    inputs.retentionMaxMb.value = String(from.retentionMaxMb);
    inputs.alwaysIncludeThoughts.checked = from.alwaysIncludeThoughts;
    inputs.corsOrigins.value = from.corsOrigins.join(", ");
  }

  async function load(): Promise<void> {
    // The free plan's figures are read alongside; their failure leaves the settings usable.
    const [loadedSettings, loadedPlan] = await Promise.allSettled([
      api.get<Settings>("/api/admin/settings"),
      api.get<PlanToday>("/api/admin/plan"),
    ]);
    if (loadedSettings.status === "fulfilled") {
      settings = loadedSettings.value;
      fill(settings);
    } else toastError(loadedSettings.reason);
    if (loadedPlan.status === "fulfilled") plan = loadedPlan.value;
    else {
      plan = null;
      toastError(loadedPlan.reason);
    }
    render();
  }

  async function save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    try {
      const next: Settings = {
        quotas: { pro: requiredInteger(inputs.pro), flash: requiredInteger(inputs.flash) },
        maxAttempts: requiredInteger(inputs.maxAttempts, 1),
        attemptTimeoutMs: requiredInteger(inputs.attemptTimeoutMs, 1000),
        keepAliveSeconds: requiredInteger(inputs.keepAliveSeconds),
        alwaysIncludeThoughts: inputs.alwaysIncludeThoughts.checked,
        retentionDays: requiredInteger(inputs.retentionDays, 1),
        retentionMaxMb: requiredInteger(inputs.retentionMaxMb, 10),
        corsOrigins: inputs.corsOrigins.value.split(/[\s,]+/).filter(Boolean),
      };
      settings = await api.put<Settings>("/api/admin/settings", next);
      if (settings && typeof settings === "object" && "quotas" in settings) fill(settings);
      toast(t("common.saved"), "success");
      // The save itself is a KV write, and the size limit may have changed.
      plan = await api.get<PlanToday>("/api/admin/plan").catch(() => plan);
      const fresh = planSection();
      planElement?.replaceWith(fresh);
      planElement = fresh;
    } catch (error) {
      toastError(error);
    }
  }

  function render(): void {
    clear(panel);
    if (!settings) {
      panel.append(section(t("settings.title"), emptyState(t("settings.unavailable"))));
      return;
    }
    const form = h(
      "form",
      { class: "form-grid settings-form", onsubmit: (event: SubmitEvent) => void save(event) },
      h(
        "fieldset",
        {},
        h("legend", {}, t("settings.quotas")),
        field(t("settings.proQuota"), inputs.pro, t("settings.proQuotaHint")),
        field(t("settings.flashQuota"), inputs.flash, t("settings.flashQuotaHint")),
      ),
      h(
        "fieldset",
        {},
        h("legend", {}, t("settings.attempts")),
        field(t("settings.maxAttempts"), inputs.maxAttempts, t("settings.maxAttemptsHint")),
        field(t("settings.attemptTimeout"), inputs.attemptTimeoutMs, t("settings.attemptTimeoutHint")),
        field(t("settings.keepAlive"), inputs.keepAliveSeconds, t("settings.keepAliveHint")),
        field(t("settings.alwaysThoughts"), inputs.alwaysIncludeThoughts, t("settings.alwaysThoughtsHint")),
      ),
      h("fieldset", {}, h("legend", {}, t("settings.browser")), field(t("settings.corsOrigins"), inputs.corsOrigins, t("settings.corsOriginsHint"))),
      h(
        "fieldset",
        {},
        h("legend", {}, t("settings.ledger")),
        field(t("settings.retention"), inputs.retentionDays, t("settings.retentionHint")),
        field(t("settings.retentionMaxMb"), inputs.retentionMaxMb, t("settings.retentionMaxMbHint")),
      ),
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "btn btn-primary" }, t("common.save"))),
    );
    panel.append(section(t("settings.title"), form));
    planElement = planSection();
    panel.append(planElement);
  }

  function planSection(): HTMLElement {
    return plan ? planPanel(plan) : section(t("plan.title", { day: "—" }), emptyState(t("plan.unavailable")));
  }

  return { load, render };
}
