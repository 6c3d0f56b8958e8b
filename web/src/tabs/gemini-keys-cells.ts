/** Cells of the Gemini keys table: per-model state, today's usage, the paid switch. */
import { h } from "../lib/dom";
import { formatDateTime, formatNumber } from "../lib/format";
import { t } from "../lib/i18n";
import type { GeminiKey, ModelState, Settings } from "../lib/types";
import { badge, type BadgeKind } from "../lib/ui";

const STATE_BADGE: Record<ModelState, BadgeKind> = { ok: "ok", cooling: "warn", exhausted: "bad", refused: "bad" };

function stateText(state: GeminiKey["models"][string]): string {
  const until = formatDateTime(state.until);
  switch (state.state) {
    case "ok":
      return t("keys.stateOk");
    case "cooling":
      return t("keys.stateCooling", { until });
    case "refused":
      return t("keys.stateRefused", { until });
    default:
      return t("keys.stateExhausted", { until });
  }
}

export function modelStates(key: GeminiKey): HTMLElement {
  const entries = Object.entries(key.models).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return h("span", { class: "muted" }, t("keys.allModelsOk"));
  return h(
    "ul",
    { class: "compact-list" },
    entries.map(([model, state]) =>
      h(
        "li",
        {},
        h("span", { class: "mono" }, model),
        ": ",
        badge(stateText(state), STATE_BADGE[state.state] ?? "bad"),
        state.reason ? h("span", { class: "muted" }, ` ${state.reason}`) : null,
      ),
    ),
  );
}

export function usageCell(key: GeminiKey, quotas: Settings["quotas"] | null): HTMLElement {
  const pro = key.usage.byCategory.pro ?? 0;
  const flash = key.usage.byCategory.flash ?? 0;
  const custom = key.usage.byCategory.custom ?? 0;
  return h(
    "ul",
    { class: "compact-list nowrap" },
    h("li", {}, t("keys.usagePro", { used: formatNumber(pro), quota: formatNumber(quotas?.pro) })),
    h("li", {}, t("keys.usageFlash", { used: formatNumber(flash), quota: formatNumber(quotas?.flash) })),
    custom > 0 ? h("li", {}, t("keys.usageCustom", { used: formatNumber(custom) })) : null,
    h("li", { class: "muted" }, t("keys.usageTotal", { total: formatNumber(key.usage.total) })),
  );
}

/** The admin's "this key's project is billed" switch: Imagen models run only on such keys. */
export function paidSwitch(key: GeminiKey, change: (paid: boolean) => void): HTMLElement {
  const box = h("input", {
    type: "checkbox",
    checked: key.paid,
    "aria-label": t("keys.paidToggle", { name: key.name || key.masked }),
    "data-paid-toggle": key.id,
  });
  box.addEventListener("change", () => {
    box.disabled = true;
    change(box.checked);
  });
  return h("label", { class: "paid-switch", title: t("keys.paidHint") }, box, " ", t(key.paid ? "keys.paidYes" : "keys.paidNo"));
}
