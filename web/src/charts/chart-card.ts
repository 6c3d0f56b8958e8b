/**
 * One dashboard chart: the canvas, a "table" toggle showing the same numbers as an
 * accessible table, and a link to the server's CSV export.
 */
import type { ChartConfiguration } from "chart.js";
import { h, uniqueId } from "../lib/dom";
import { t } from "../lib/i18n";
import { dataTable, emptyState } from "../lib/ui";
import { Chart } from "./setup";

export interface ChartTable {
  columns: string[];
  rows: (string | number)[][];
}

export interface ChartCardSpec {
  id: string;
  title: string;
  csvHref: string;
  config: ChartConfiguration;
  table: ChartTable;
  hasData: boolean;
}

export interface ChartCard {
  element: HTMLElement;
  /** Draws the chart; call once the element is in the document so it can size itself. */
  draw(): void;
  destroy(): void;
}

export function chartCard(spec: ChartCardSpec, tableOpen: Set<string>): ChartCard {
  const headingId = uniqueId("chart");
  const tableId = uniqueId("chart-table");
  let chart: Chart | null = null;

  const tableBox = h(
    "div",
    { id: tableId, class: "chart-table", hidden: !tableOpen.has(spec.id) },
    dataTable(
      spec.title,
      spec.table.columns.map((header, index) => ({ header, cell: (row: (string | number)[]) => row[index] ?? "", className: index > 0 ? "num" : "nowrap" })),
      spec.table.rows,
      t("dash.noData"),
    ),
  );
  const toggle = h(
    "button",
    { type: "button", class: "btn btn-small", "aria-expanded": String(tableOpen.has(spec.id)), "aria-controls": tableId, "data-action": "toggle-table" },
    t("dash.table"),
  );
  toggle.addEventListener("click", () => {
    const open = tableBox.hidden;
    tableBox.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) tableOpen.add(spec.id);
    else tableOpen.delete(spec.id);
  });

  const canvas = spec.hasData ? h("canvas", { role: "img", "aria-label": spec.title }) : null;
  const body = canvas ? h("div", { class: "chart-box" }, canvas) : emptyState(t("dash.noData"));

  const element = h(
    "section",
    { class: "card chart-card", "aria-labelledby": headingId, "data-chart": spec.id },
    h(
      "div",
      { class: "chart-head" },
      h("h3", { id: headingId, class: "card-title" }, spec.title),
      h("div", { class: "chart-actions" }, toggle, h("a", { class: "btn btn-small", href: spec.csvHref, download: "" }, t("dash.csv"))),
    ),
    body,
    tableBox,
  );
  return {
    element,
    draw() {
      if (canvas && !chart) chart = new Chart(canvas, spec.config);
    },
    destroy() {
      chart?.destroy();
      chart = null;
    },
  };
}
