/** The form controls for a client key's options, shared by "create" and "edit". */
import { h } from "../lib/dom";
import { t } from "../lib/i18n";
import type { ClientKeyOptions } from "../lib/types";
import { field, optionalInteger } from "../lib/ui";

export interface OptionsForm {
  element: HTMLElement;
  read(): ClientKeyOptions;
}

export function clientKeyOptionsForm(options: ClientKeyOptions): OptionsForm {
  const safetyOff = h("input", { type: "checkbox", checked: options.safetyOff });
  const systemAsUser = h("input", { type: "checkbox", checked: options.systemAsUser });
  const allowedModels = h("input", {
    type: "text",
    value: options.allowedModels?.join(", ") ?? "",
    autocomplete: "off",
    class: "mono",
  });
  const dailyLimit = h("input", { type: "number", min: 0, step: 1, inputmode: "numeric", value: options.dailyLimit ?? "" });
  const keepAliveWhitespace = h("input", { type: "checkbox", checked: options.keepAliveWhitespace === true });
  return {
    element: h(
      "div",
      { class: "form-grid" },
      field(t("clients.safetyOff"), safetyOff, t("clients.safetyOffHint")),
      field(t("clients.systemAsUser"), systemAsUser, t("clients.systemAsUserHint")),
      field(t("clients.allowedModels"), allowedModels, t("clients.allowedModelsHint")),
      field(t("clients.dailyLimit"), dailyLimit, t("clients.dailyLimitHint")),
      field(t("clients.keepAliveWhitespace"), keepAliveWhitespace, t("clients.keepAliveWhitespaceHint")),
    ),
    read() {
      const models = allowedModels.value
        .split(/[\s,]+/)
        .map((model) => model.trim())
        .filter(Boolean);
      return {
        safetyOff: safetyOff.checked,
        systemAsUser: systemAsUser.checked,
        allowedModels: models.length > 0 ? models : null,
        dailyLimit: optionalInteger(dailyLimit),
        keepAliveWhitespace: keepAliveWhitespace.checked,
      };
    },
  };
}
