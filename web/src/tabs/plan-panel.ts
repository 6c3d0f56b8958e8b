/** "Free plan today": each daily limit's use (counted or estimated), the database size, limits hit. */
import { h } from "../lib/dom";
import { formatNumber } from "../lib/format";
import { t } from "../lib/i18n";
import { en, type MessageKey } from "../lib/messages-en";
import type { PlanToday } from "../lib/types";
import { badge, dataTable, section } from "../lib/ui";

const MB = 1024 * 1024;

function resourceName(resource: string): string {
  const key = `plan.r.${resource}`;
  return key in en ? t(key as MessageKey) : resource;
}

/** HH:MM of an ISO time, in UTC (the day the limits count in). */
function utcTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(11, 16);
}

function megabytes(bytes: number): string {
  return formatNumber(Math.round((bytes / MB) * 10) / 10);
}

function usageBar(used: number, limit: number): HTMLElement {
  const share = limit > 0 ? used / limit : 0;
  return h(
    "span",
    { class: "meter-cell" },
    h("meter", { min: 0, max: Math.max(limit, 1), value: Math.min(used, limit), low: limit * 0.5, high: limit * 0.8, optimum: 0, "aria-hidden": "true" }),
    ` ${formatNumber(Math.round(share * 1000) / 10)} %`,
  );
}

function sourceBadge(row: PlanToday["resources"][number]): HTMLElement {
  if (row.counted) return badge(t("plan.counted"), "ok");
  return row.basis === "not counted" ? badge(t("plan.notCounted"), "warn") : badge(t("plan.estimate"), "muted");
}

export function planPanel(plan: PlanToday): HTMLElement {
  const hits = plan.limitHits.map((hit) =>
    h("p", { class: "warning", role: "status" }, t("plan.limitHit", { resource: resourceName(hit.resource), time: utcTime(hit.at), detail: hit.detail })),
  );
  const { bytes, limitBytes, retentionMaxMb } = plan.database;
  const database = h(
    "p",
    { class: "plan-database" },
    h("strong", {}, `${t("plan.database")}:`),
    h(
      "span",
      { class: "meter-cell" },
      h("meter", { min: 0, max: limitBytes, value: Math.min(bytes, limitBytes), high: retentionMaxMb * MB, optimum: 0, "aria-hidden": "true" }),
      ` ${t("plan.databaseValue", { size: megabytes(bytes), limit: megabytes(limitBytes), retention: formatNumber(retentionMaxMb) })}`,
    ),
  );
  const table = dataTable<PlanToday["resources"][number]>(
    t("plan.caption"),
    [
      {
        header: t("plan.resource"),
        cell: (row) => [h("span", { class: "plan-resource" }, resourceName(row.resource)), h("small", { class: "hint plan-how" }, row.how)],
      },
      { header: t("plan.used"), cell: (row) => `${formatNumber(row.used)} / ${formatNumber(row.limit)}`, className: "num" },
      { header: t("plan.share"), cell: (row) => usageBar(row.used, row.limit) },
      { header: t("plan.source"), cell: (row) => sourceBadge(row) },
    ],
    plan.resources,
    "—",
  );
  const panel = section(
    t("plan.title", { day: plan.utcDay }),
    hits.length > 0 ? hits : h("p", { class: "muted" }, t("plan.noLimitHit")),
    database,
    table,
    h("p", { class: "hint" }, t("plan.resetNote")),
  );
  panel.dataset.panel = "plan";
  return panel;
}
