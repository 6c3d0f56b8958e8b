/** The dashboard: usage charts for a date range (D1 roll-ups) and today's live pool counters. */
import { chartCard, type ChartCard, type ChartCardSpec } from "../charts/chart-card";
import { outcomeColor, seriesColor } from "../charts/palette";
import { applyChartTheme } from "../charts/setup";
import { csvHref, latencySpec, perGroupSpec, stackedDailySpec } from "../dashboard/chart-specs";
import { nameBook } from "../dashboard/names";
import { presetRange, rangePicker, type DateRange, type RangeChoice } from "../dashboard/range";
import { mediaPanel } from "../dashboard/media";
import { todayPanel } from "../dashboard/today";
import { api, query } from "../lib/api";
import { clear, h } from "../lib/dom";
import { formatMs, formatNumber } from "../lib/format";
import { t } from "../lib/i18n";
import { currentTheme } from "../lib/theme";
import { toastError } from "../lib/toast";
import type { ClientKey, GeminiKey, LatencySeries, PoolToday, UsageReport, UsageSeries } from "../lib/types";
import type { Tab } from "./tab";

interface DashboardData {
  range: DateRange;
  requestsByModel: UsageSeries;
  tokensByModel: UsageSeries;
  outcomes: UsageSeries;
  byKey: UsageReport;
  byModel: UsageReport;
  byClient: UsageReport;
  latency: LatencySeries;
  today: PoolToday;
  geminiKeys: GeminiKey[];
  clientKeys: ClientKey[];
}

async function fetchDashboard(range: DateRange, signal: AbortSignal): Promise<DashboardData> {
  const usage = <T>(path: string, params: Record<string, string>) =>
    api.get<T>(`/api/admin/usage${path}?${query({ from: range.from, to: range.to, ...params })}`, signal);
  const [requestsByModel, tokensByModel, outcomes, byKey, byModel, byClient, latency, today, geminiKeys, clientKeys] = await Promise.all([
    usage<UsageSeries>("/series", { by: "model", metric: "requests" }),
    usage<UsageSeries>("/series", { by: "model", metric: "tokens" }),
    usage<UsageSeries>("/series", { by: "outcome", metric: "requests" }),
    usage<UsageReport>("", { by: "key" }),
    usage<UsageReport>("", { by: "model" }),
    usage<UsageReport>("", { by: "client" }),
    usage<LatencySeries>("/latency", {}),
    api.get<PoolToday>("/api/admin/pool/today", signal),
    api.get<GeminiKey[]>("/api/admin/gemini-keys", signal),
    api.get<ClientKey[]>("/api/admin/worker-keys", signal),
  ]);
  return { range, requestsByModel, tokensByModel, outcomes, byKey, byModel, byClient, latency, today, geminiKeys, clientKeys };
}

function summary(data: DashboardData): HTMLElement {
  const rows = data.byKey.rows;
  const requests = rows.reduce((sum, row) => sum + row.requests, 0);
  const errors = rows.reduce((sum, row) => sum + row.errors, 0);
  const tokens = rows.reduce((sum, row) => sum + row.totalTokens, 0);
  const latency = requests > 0 ? rows.reduce((sum, row) => sum + (row.avgLatencyMs ?? 0) * row.requests, 0) / requests : null;
  const stat = (label: string, value: string, name: string) =>
    h("div", { class: "stat", "data-stat": name }, h("div", { class: "stat-value" }, value), h("div", { class: "stat-label" }, label));
  return h(
    "div",
    { class: "stats" },
    stat(t("dash.requests"), formatNumber(requests), "requests"),
    stat(t("dash.errors"), formatNumber(errors), "errors"),
    stat(t("dash.tokens"), formatNumber(tokens), "tokens"),
    stat(t("dash.avgLatency"), formatMs(latency), "latency"),
  );
}

function sortedByName(series: UsageSeries): UsageSeries {
  return { days: series.days, series: [...series.series].sort((a, b) => a.name.localeCompare(b.name)) };
}

function chartSpecs(data: DashboardData): ChartCardSpec[] {
  const theme = currentTheme();
  const names = nameBook(data.geminiKeys, data.clientKeys);
  // One colour per model in both model charts, whatever order each answer lists them in.
  const modelNames = [...new Set([...data.requestsByModel.series, ...data.tokensByModel.series].map((entry) => entry.name))].sort();
  const modelColor = (name: string) => seriesColor(theme, modelNames.indexOf(name));
  const failures: UsageSeries = { days: data.outcomes.days, series: data.outcomes.series.filter((entry) => entry.name !== "ok") };
  return [
    stackedDailySpec({
      id: "requests-by-model",
      title: t("dash.chartRequests"),
      series: sortedByName(data.requestsByModel),
      label: (name) => name,
      color: modelColor,
      csv: csvHref(data.range, "model"),
    }),
    stackedDailySpec({
      id: "tokens-by-model",
      title: t("dash.chartTokens"),
      series: sortedByName(data.tokensByModel),
      label: (name) => name,
      color: modelColor,
      csv: csvHref(data.range, "model"),
    }),
    perGroupSpec({ id: "by-key", title: t("dash.chartKeys"), rows: data.byKey.rows, label: names.geminiKey, theme, csv: csvHref(data.range, "key") }),
    perGroupSpec({ id: "by-client", title: t("dash.chartClients"), rows: data.byClient.rows, label: names.clientKey, theme, csv: csvHref(data.range, "client") }),
    stackedDailySpec({
      id: "errors-by-outcome",
      title: t("dash.chartErrors"),
      series: failures,
      label: names.outcome,
      color: (name, index) => outcomeColor(theme, name, index),
      csv: csvHref(data.range, "outcome"),
    }),
    latencySpec(data.latency, theme, csvHref(data.range, "day")),
  ];
}

export function createDashboardTab(panel: HTMLElement): Tab {
  let choice: RangeChoice = "7";
  let range = presetRange("7");
  let data: DashboardData | null = null;
  let cards: ChartCard[] = [];
  let inFlight: AbortController | null = null;
  const openTables = new Set<string>();

  async function load(): Promise<void> {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    panel.setAttribute("aria-busy", "true");
    try {
      data = await fetchDashboard(range, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) return;
      toastError(error);
    } finally {
      if (inFlight === controller) {
        inFlight = null;
        panel.setAttribute("aria-busy", "false");
      }
    }
    render();
  }

  function render(): void {
    for (const card of cards) card.destroy();
    cards = [];
    clear(panel);
    applyChartTheme(currentTheme());
    const picker = rangePicker(choice, range, (nextChoice, nextRange) => {
      choice = nextChoice;
      range = nextRange;
      void load();
    });
    const header = h(
      "div",
      { class: "dash-head" },
      h("h2", { class: "visually-hidden" }, t("tab.dashboard")),
      picker.element,
      h("p", { class: "muted range-text", role: "status" }, t("dash.rangeText", { from: range.from, to: range.to })),
    );
    panel.append(header);
    if (!data) return;
    cards = chartSpecs(data).map((spec) => chartCard(spec, openTables));
    const media = mediaPanel(data.byKey.rows, data.byModel.rows, nameBook(data.geminiKeys, data.clientKeys).geminiKey);
    panel.append(summary(data), h("div", { class: "chart-grid" }, cards.map((card) => card.element)), media, todayPanel(data.today));
    for (const card of cards) card.draw();
  }

  return { load, render };
}

