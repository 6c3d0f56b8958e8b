/** Turns usage API answers into chart configurations and their table equivalents. */
import type { ChartConfiguration } from "chart.js";
import type { ChartCardSpec, ChartTable } from "../charts/chart-card";
import { outcomeColor, seriesColor } from "../charts/palette";
import { query } from "../lib/api";
import { t } from "../lib/i18n";
import type { Theme } from "../lib/theme";
import type { LatencySeries, UsageGroupBy, UsageRow, UsageSeries } from "../lib/types";
import type { DateRange } from "./range";

const BASE_OPTIONS = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false,
  interaction: { mode: "index", intersect: false },
  plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
} as const;

export function csvHref(range: DateRange, by: UsageGroupBy): string {
  return `/api/admin/usage/export.csv?${query({ from: range.from, to: range.to, by })}`;
}

function seriesTable(series: UsageSeries, label: (name: string) => string): ChartTable {
  return {
    columns: [t("dash.day"), ...series.series.map((entry) => label(entry.name)), t("dash.total")],
    rows: series.days.map((day, index) => {
      const values = series.series.map((entry) => entry.values[index] ?? 0);
      return [day, ...values, values.reduce((sum, value) => sum + value, 0)];
    }),
  };
}

function hasAny(series: UsageSeries): boolean {
  return series.series.some((entry) => entry.values.some((value) => value > 0));
}

/** A bar chart per day with one stacked segment per series (model, outcome...). */
export function stackedDailySpec(options: {
  id: string;
  title: string;
  series: UsageSeries;
  label: (name: string) => string;
  color: (name: string, index: number) => string;
  csv: string;
}): ChartCardSpec {
  const config: ChartConfiguration = {
    type: "bar",
    data: {
      labels: options.series.days,
      datasets: options.series.series.map((entry, index) => ({
        label: options.label(entry.name),
        data: entry.values,
        backgroundColor: options.color(entry.name, index),
        stack: "total",
        maxBarThickness: 72,
      })),
    },
    options: {
      ...BASE_OPTIONS,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  };
  return {
    id: options.id,
    title: options.title,
    csvHref: options.csv,
    config,
    table: seriesTable(options.series, options.label),
    hasData: hasAny(options.series),
  };
}

const MAX_AXIS_LABEL = 28;

/** Long names would squeeze the bars on a phone; the table keeps them whole. */
function shorten(label: string): string {
  return label.length > MAX_AXIS_LABEL ? `${label.slice(0, MAX_AXIS_LABEL - 1)}…` : label;
}

/** Requests per group (Gemini key, client key) as bars split into successful and failed calls. */
export function perGroupSpec(options: {
  id: string;
  title: string;
  rows: UsageRow[];
  label: (group: string) => string;
  theme: Theme;
  csv: string;
}): ChartCardSpec {
  const rows = [...options.rows].sort((a, b) => b.requests - a.requests);
  const labels = rows.map((row) => options.label(row.group));
  const config: ChartConfiguration = {
    type: "bar",
    data: {
      labels: labels.map(shorten),
      datasets: [
        { label: t("dash.succeeded"), data: rows.map((row) => row.requests - row.errors), backgroundColor: outcomeColor(options.theme, "ok", 0), stack: "calls" },
        { label: t("dash.failed"), data: rows.map((row) => row.errors), backgroundColor: outcomeColor(options.theme, "upstream_error", 1), stack: "calls" },
      ],
    },
    options: {
      ...BASE_OPTIONS,
      indexAxis: "y",
      datasets: { bar: { maxBarThickness: 48 } },
      scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } },
    },
  };
  return {
    id: options.id,
    title: options.title,
    csvHref: options.csv,
    config,
    table: {
      columns: [t("dash.name"), t("dash.requests"), t("dash.errors"), t("dash.tokens"), t("dash.avgLatency")],
      rows: rows.map((row, index) => [labels[index]!, row.requests, row.errors, row.totalTokens, row.avgLatencyMs === null ? "—" : Math.round(row.avgLatencyMs)]),
    },
    hasData: rows.some((row) => row.requests > 0),
  };
}

export function latencySpec(latency: LatencySeries, theme: Theme, csv: string): ChartCardSpec {
  const lines: { label: string; values: (number | null)[]; color: number; dashed: boolean }[] = [
    { label: t("dash.totalP50"), values: latency.totalP50, color: 0, dashed: false },
    { label: t("dash.totalP95"), values: latency.totalP95, color: 0, dashed: true },
    { label: t("dash.ttfbP50"), values: latency.ttfbP50, color: 1, dashed: false },
    { label: t("dash.ttfbP95"), values: latency.ttfbP95, color: 1, dashed: true },
  ];
  const config: ChartConfiguration = {
    type: "line",
    data: {
      labels: latency.days,
      datasets: lines.map((line) => ({
        label: line.label,
        data: line.values,
        borderColor: seriesColor(theme, line.color),
        backgroundColor: seriesColor(theme, line.color),
        borderDash: line.dashed ? [6, 4] : [],
        spanGaps: true,
        pointRadius: 3,
        tension: 0.2,
      })),
    },
    options: {
      ...BASE_OPTIONS,
      plugins: { legend: { position: "bottom", labels: { usePointStyle: true, pointStyle: "line" } } },
      // offset keeps a single day's points in the middle instead of on the axis.
      scales: { x: { offset: true }, y: { beginAtZero: true, title: { display: true, text: "ms" } } },
    },
  };
  const cell = (value: number | null | undefined) => (value === null || value === undefined ? "—" : Math.round(value));
  return {
    id: "latency",
    title: t("dash.chartLatency"),
    csvHref: csv,
    config,
    table: {
      columns: [t("dash.day"), ...lines.map((line) => `${line.label} (ms)`)],
      rows: latency.days.map((day, index) => [day, ...lines.map((line) => cell(line.values[index]))]),
    },
    hasData: lines.some((line) => line.values.some((value) => value !== null)),
  };
}
