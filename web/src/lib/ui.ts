/** Small building blocks shared by the tabs: labelled fields, tables, badges, empty states. */
import { h, uniqueId, type Child } from "./dom";
import { t } from "./i18n";

/** A label wired to its control (and an optional hint wired through aria-describedby). */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  if (!control.id) control.id = uniqueId("field");
  const hintElement = hint ? h("small", { id: `${control.id}-hint`, class: "hint" }, hint) : null;
  if (hintElement) control.setAttribute("aria-describedby", hintElement.id);
  const isCheck = control instanceof HTMLInputElement && control.type === "checkbox";
  const labelElement = h("label", { for: control.id }, label);
  return isCheck
    ? h("div", { class: "field field-check" }, control, labelElement, hintElement)
    : h("div", { class: "field" }, labelElement, control, hintElement);
}

export interface Column<Row> {
  header: string;
  cell: (row: Row) => Child | Child[];
  className?: string;
}

/** A table in a horizontally scrolling wrapper (phones), or the empty state when there are no rows. */
export function dataTable<Row>(caption: string, columns: Column<Row>[], rows: Row[], emptyText: string): HTMLElement {
  if (rows.length === 0) return emptyState(emptyText);
  return h(
    "div",
    { class: "table-scroll", tabindex: 0, role: "region", "aria-label": caption },
    h(
      "table",
      { class: "data-table" },
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, columns.map((column) => h("th", { scope: "col", class: column.className }, column.header)))),
      h(
        "tbody",
        {},
        rows.map((row) => h("tr", {}, columns.map((column) => h("td", { class: column.className }, column.cell(row))))),
      ),
    ),
  );
}

export function emptyState(text: string): HTMLElement {
  return h("p", { class: "empty-state" }, text);
}

export type BadgeKind = "ok" | "warn" | "bad" | "muted";

export function badge(text: string, kind: BadgeKind): HTMLElement {
  return h("span", { class: `badge badge-${kind}` }, text);
}

export function button(label: string, onClick: (event: MouseEvent) => void, className = "btn", attrs: Record<string, unknown> = {}): HTMLButtonElement {
  return h("button", { type: "button", class: className, onclick: onClick, ...attrs }, label);
}

export function section(title: string, ...children: (Child | Child[])[]): HTMLElement {
  const headingId = uniqueId("section");
  return h("section", { class: "card", "aria-labelledby": headingId }, h("h2", { id: headingId, class: "card-title" }, title), ...children);
}

/** Parses an optional non-negative integer input: empty means null. */
export function optionalInteger(input: HTMLInputElement): number | null {
  const text = input.value.trim();
  if (text === "") return null;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(t("form.notInteger", { value: text, min: 0 }));
  return value;
}

export function requiredInteger(input: HTMLInputElement, min = 0): number {
  const value = Number(input.value.trim());
  if (input.value.trim() === "" || !Number.isInteger(value) || value < min) {
    throw new Error(t("form.notInteger", { value: input.value || "—", min }));
  }
  return value;
}
