/** "Media": images, audio, characters read aloud and files per Gemini key and per model over the range. */
import { h } from "../lib/dom";
import { formatNumber } from "../lib/format";
import { t } from "../lib/i18n";
import type { MediaFigures, UsageRow } from "../lib/types";
import { dataTable, emptyState, section } from "../lib/ui";

type MediaRow = MediaFigures & { group: string };

/** The media figures of the rows that have any (by key and by model the server always sends them). */
export function mediaRows(rows: readonly UsageRow[]): MediaRow[] {
  return rows
    .map((row) => {
      const figures = row as Partial<MediaRow>;
      return {
        group: row.group,
        images: figures.images ?? 0,
        audioMs: figures.audioMs ?? 0,
        speechCharacters: figures.speechCharacters ?? 0,
        files: figures.files ?? 0,
        fileBytes: figures.fileBytes ?? 0,
      };
    })
    .filter((row) => row.images + row.audioMs + row.speechCharacters + row.files + row.fileBytes > 0);
}

/** Audio minutes with one decimal (a 3-second clip shows as 0.1, not 0). */
function minutes(audioMs: number): string {
  if (audioMs === 0) return "0";
  return formatNumber(Math.max(0.1, Math.round(audioMs / 6_000) / 10));
}

function bytes(value: number): string {
  if (value < 1024) return `${formatNumber(value)} B`;
  if (value < 1024 * 1024) return `${formatNumber(Math.round(value / 102.4) / 10)} KiB`;
  return `${formatNumber(Math.round(value / 104_857.6) / 10)} MiB`;
}

function mediaTable(caption: string, groupHeader: string, rows: MediaRow[], label: (group: string) => Node | string): HTMLElement {
  return dataTable(
    caption,
    [
      { header: groupHeader, cell: (row) => label(row.group) },
      { header: t("media.images"), cell: (row) => formatNumber(row.images), className: "num" },
      { header: t("media.audioMinutes"), cell: (row) => minutes(row.audioMs), className: "num" },
      { header: t("media.speechCharacters"), cell: (row) => formatNumber(row.speechCharacters), className: "num" },
      { header: t("media.files"), cell: (row) => formatNumber(row.files), className: "num" },
      { header: t("media.fileBytes"), cell: (row) => bytes(row.fileBytes), className: "num" },
    ],
    rows,
    t("media.none"),
  );
}

/** The card; a range without media traffic says so in one line instead of two empty tables. */
export function mediaPanel(byKey: readonly UsageRow[], byModel: readonly UsageRow[], keyName: (id: string) => string): HTMLElement {
  const keys = mediaRows(byKey);
  const models = mediaRows(byModel);
  const body =
    keys.length === 0 && models.length === 0
      ? emptyState(t("media.none"))
      : h(
          "div",
          { class: "today-grid" },
          h("div", {}, h("h3", { class: "sub-title" }, t("media.byKey")), mediaTable(t("media.byKeyCaption"), t("dash.name"), keys, keyName)),
          h("div", {}, h("h3", { class: "sub-title" }, t("media.byModel")), mediaTable(t("media.byModelCaption"), t("models.id"), models, (id) => h("code", {}, id))),
        );
  const panel = section(t("media.title"), body);
  panel.dataset.panel = "media";
  return panel;
}
