/** "Today": each key's counters and the pool's remaining capacity per model (live KV counters). */
import { h } from "../lib/dom";
import { formatNumber } from "../lib/format";
import { t } from "../lib/i18n";
import type { PoolToday } from "../lib/types";
import { dataTable, section } from "../lib/ui";

export function todayPanel(today: PoolToday): HTMLElement {
  const models = dataTable(
    t("today.modelsCaption"),
    [
      { header: t("models.id"), cell: (model) => h("code", {}, model.id) },
      { header: t("models.category"), cell: (model) => t(`category.${model.category}`) },
      { header: t("today.used"), cell: (model) => formatNumber(model.used), className: "num" },
      { header: t("today.capacity"), cell: (model) => (model.capacity === null ? t("models.unlimited") : formatNumber(model.capacity)), className: "num" },
      {
        header: t("today.remaining"),
        cell: (model) =>
          model.capacity === null || model.remaining === null
            ? t("models.unlimited")
            : h(
                "span",
                { class: "meter-cell" },
                h("meter", { min: 0, max: Math.max(model.capacity, 1), value: model.remaining, low: model.capacity * 0.2, optimum: model.capacity, "aria-hidden": "true" }),
                ` ${formatNumber(model.remaining)}`,
              ),
      },
      { header: t("today.availableKeys"), cell: (model) => formatNumber(model.availableKeys), className: "num" },
    ],
    today.models,
    t("today.noModels"),
  );
  const keys = dataTable(
    t("today.keysCaption"),
    [
      { header: t("common.name"), cell: (key) => h("span", { class: "key-name" }, key.name || "—") },
      { header: t("today.calls"), cell: (key) => formatNumber(key.total), className: "num" },
      {
        header: t("today.byModel"),
        cell: (key) => {
          const entries = Object.entries(key.byModel).filter(([, count]) => count > 0);
          return entries.length === 0
            ? h("span", { class: "muted" }, "—")
            : h("ul", { class: "compact-list" }, entries.map(([model, count]) => h("li", {}, h("span", { class: "mono" }, model), `: ${formatNumber(count)}`)));
        },
      },
    ],
    today.keys,
    t("today.noKeys"),
  );
  const panel = section(
    t("today.title", { day: today.day }),
    h(
      "div",
      { class: "today-grid" },
      h("div", {}, h("h3", { class: "sub-title" }, t("today.capacityTitle")), models),
      h("div", {}, h("h3", { class: "sub-title" }, t("today.keysTitle")), keys),
    ),
  );
  panel.dataset.panel = "today";
  return panel;
}
