/** The dashboard's date range: today, the last 7/30/90 Pacific days, or custom from/to. */
import { h } from "../lib/dom";
import { addDays, pacificDay } from "../lib/format";
import { t } from "../lib/i18n";
import type { MessageKey } from "../lib/messages-en";
import { field } from "../lib/ui";

export type RangeChoice = "today" | "7" | "30" | "90" | "custom";

export interface DateRange {
  from: string;
  to: string;
}

const PRESETS: { choice: RangeChoice; label: MessageKey }[] = [
  { choice: "today", label: "range.today" },
  { choice: "7", label: "range.7" },
  { choice: "30", label: "range.30" },
  { choice: "90", label: "range.90" },
  { choice: "custom", label: "range.custom" },
];

export function presetRange(choice: Exclude<RangeChoice, "custom">, today = pacificDay()): DateRange {
  const days = choice === "today" ? 1 : Number(choice);
  return { from: addDays(today, -(days - 1)), to: today };
}

export interface RangePicker {
  element: HTMLElement;
}

/** Renders the picker for the current state; onChange receives the new choice and range. */
export function rangePicker(choice: RangeChoice, range: DateRange, onChange: (choice: RangeChoice, range: DateRange) => void): RangePicker {
  const fromInput = h("input", { type: "date", value: range.from, max: pacificDay(), required: true });
  const toInput = h("input", { type: "date", value: range.to, max: pacificDay(), required: true });
  const customForm = h(
    "form",
    { class: "form-inline custom-range", hidden: choice !== "custom" },
    field(t("range.from"), fromInput),
    field(t("range.to"), toInput),
    h("button", { type: "submit", class: "btn btn-primary" }, t("range.apply")),
  );
  customForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const [from, to] = fromInput.value <= toInput.value ? [fromInput.value, toInput.value] : [toInput.value, fromInput.value];
    if (from && to) onChange("custom", { from, to });
  });

  const buttons = h(
    "div",
    { class: "segmented", role: "group", "aria-label": t("range.label") },
    PRESETS.map(({ choice: preset, label }) =>
      h(
        "button",
        {
          type: "button",
          class: "btn",
          "aria-pressed": String(preset === choice),
          "data-range": preset,
          onclick: () => {
            if (preset === "custom") {
              customForm.hidden = false;
              for (const other of buttons.querySelectorAll("button")) other.setAttribute("aria-pressed", String(other.dataset.range === "custom"));
              fromInput.focus();
            } else {
              onChange(preset, presetRange(preset));
            }
          },
        },
        t(label),
      ),
    ),
  );
  return { element: h("div", { class: "range-picker" }, buttons, customForm) };
}
