// Browser helpers for the panel e2e test: Debian's Chromium through playwright-core, a
// record of everything the page reports (console errors, page errors, JS dialogs), and
// readers for what the dashboard shows (painted canvases, chart tables).

import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface PanelBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught page errors and failed requests, as text. */
  problems: string[];
  /** Messages of alert/confirm/prompt dialogs the page opened (each one is dismissed). */
  dialogs: string[];
  close(): Promise<void>;
}

export async function openPanelBrowser(): Promise<PanelBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: "en-US",
    colorScheme: "light",
    timezoneId: "UTC",
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => {
    // A CSV link or aborted dashboard reload may be cancelled by the page itself.
    if (request.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on("dialog", (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { browser, context, page, problems, dialogs, close: () => browser.close() };
}

/** How many pixels of each dashboard canvas hold paint (non-transparent), by chart id. */
export function paintedPixels(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const result: Record<string, number> = {};
    for (const card of document.querySelectorAll<HTMLElement>("[data-chart]")) {
      const canvas = card.querySelector("canvas");
      const context = canvas?.getContext("2d");
      if (!canvas || !context || canvas.width === 0 || canvas.height === 0) {
        result[card.dataset.chart!] = 0;
        continue;
      }
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted += 1;
      result[card.dataset.chart!] = painted;
    }
    return result;
  });
}

export interface ShownTable {
  columns: string[];
  rows: string[][];
}

/** Opens a chart's table view (if closed) and reads it. */
export async function chartTable(page: Page, chartId: string): Promise<ShownTable> {
  const card = page.locator(`[data-chart="${chartId}"]`);
  const toggle = card.locator('[data-action="toggle-table"]');
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  const table = card.locator(".chart-table table");
  await table.waitFor({ state: "visible" });
  const columns = await table.locator("thead th").allTextContents();
  const rows: string[][] = [];
  for (const row of await table.locator("tbody tr").all()) rows.push(await row.locator("td").allTextContents());
  return { columns, rows };
}

/** The cell of a table row found by its first cell, in the named column. */
export function cell(table: ShownTable, rowLabel: string, column: string): string | undefined {
  const columnIndex = table.columns.indexOf(column);
  if (columnIndex < 0) return undefined;
  return table.rows.find((row) => row[0] === rowLabel)?.[columnIndex];
}

/** A number shown in a table cell ("1,234" -> 1234); NaN when absent. */
export function numberIn(text: string | undefined): number {
  return text === undefined ? Number.NaN : Number(text.replace(/[^\d.-]/g, ""));
}

/** Today's date in America/Los_Angeles, the ledger's day. */
export function pacificToday(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "America/Los_Angeles", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}
