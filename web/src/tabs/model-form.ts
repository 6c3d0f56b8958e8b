/**
 * Category and quota controls for a model. Custom models have a daily quota of their own;
 * Pro/Flash models may have an individual quota inside their category's per-key quota.
 */
import { h } from "../lib/dom";
import { t } from "../lib/i18n";
import type { Category, ModelConfig } from "../lib/types";
import { field, optionalInteger } from "../lib/ui";

export const CATEGORIES: Category[] = ["pro", "flash", "custom"];

export interface ModelFields {
  element: HTMLElement;
  read(): Omit<ModelConfig, "id">;
}

export function categorySelect(value: Category): HTMLSelectElement {
  return h(
    "select",
    {},
    CATEGORIES.map((category) => h("option", { value: category, selected: category === value }, t(`category.${category}`))),
  );
}

export function modelFields(initial: Omit<ModelConfig, "id">): ModelFields {
  const category = categorySelect(initial.category);
  const quota = h("input", {
    type: "number",
    min: 0,
    step: 1,
    inputmode: "numeric",
    value: (initial.category === "custom" ? initial.dailyQuota : initial.individualQuota) ?? "",
  });
  const quotaField = h("div", {});
  function renderQuotaField(): void {
    const isCustom = category.value === "custom";
    quotaField.replaceChildren(
      field(isCustom ? t("models.dailyQuota") : t("models.individualQuota"), quota, isCustom ? t("models.dailyQuotaHint") : t("models.individualQuotaHint")),
    );
  }
  category.addEventListener("change", renderQuotaField);
  renderQuotaField();
  return {
    element: h("div", { class: "form-grid" }, field(t("models.category"), category), quotaField),
    read() {
      const chosen = category.value as Category;
      const value = optionalInteger(quota);
      return {
        category: chosen,
        dailyQuota: chosen === "custom" ? value : null,
        individualQuota: chosen === "custom" ? null : value,
      };
    },
  };
}
