// The admin panel in headless Chromium against the real Worker (wrangler dev) and the fake
// Gemini API: login redirect and form, keys/models/client key added through the UI, proxied
// calls with the official OpenAI client, every dashboard chart drawn with those calls (canvas
// painted, table view with the right counts), language and theme, names that look like HTML
// rendered as text, and no console errors.

import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminSession, clearPool, fake, fakeGeminiKey, openaiClient, waitFor, workerUrl, type AdminSession } from "./harness";
import { cell, CHROMIUM, chartTable, numberIn, openPanelBrowser, pacificToday, paintedPixels, type PanelBrowser } from "./panel-browser";
import { REPO_ROOT } from "./processes";

const HOSTILE_NAME = "<img src=x onerror=alert(1)>";
const RUN = Date.now().toString(36);
// Models only this file uses, so the per-model counts are ours alone.
const FLASH_MODEL = `gemini-2.5-flash-panel-${RUN}`;
const PRO_MODEL = `gemini-2.5-pro-panel-${RUN}`;
// A model alias added in the Models tab, and a name a client sends that falls under it.
const ALIAS_PATTERN = `gpt-panel-${RUN}-*`;
const ALIASED_NAME = `gpt-panel-${RUN}-codex`;
// A TTS model (the fake speaks for ids ending in -tts) for the Media card.
const TTS_MODEL = `gemini-panel-${RUN}-tts`;
const SCREENSHOTS = path.join(REPO_ROOT, "test-results");

interface ListedKey {
  id: string;
  name: string;
  masked: string;
  enabled: boolean;
}
interface PoolToday {
  keys: { id: string; total: number }[];
  models: { id: string; used: number }[];
}
interface UsageTotals {
  rows: { group: string; requests: number; errors: number }[];
}

let admin: AdminSession;
let ui: PanelBrowser;
let base: string;
const today = pacificToday();
const myKeys: { key: string; id: string; name: string; masked: string }[] = [];
let clientKey = "";
let clientKeyId = "";
const tokensByModel = new Map<string, number>();
const expectedByKey = new Map<string, { requests: number; errors: number }>();
const servedByKey = new Map<string, number>();
/** API paths this file made answer 400 on purpose (Chromium logs those to the console). */
const expectedConsoleErrors: string[] = [];

/** Closes the notices so screenshots show the page itself. */
async function dismissToasts(): Promise<void> {
  // In one go: success notices also leave by themselves, so a locator could go stale.
  await ui.page.evaluate(() => document.querySelectorAll<HTMLButtonElement>(".toast-close").forEach((close) => close.click()));
}

async function upstreamCallsSince(count: number) {
  return (await fake.requests()).slice(count).filter((request) => request.action === "generateContent");
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  if (!existsSync(path.join(REPO_ROOT, "web/dist/admin.html"))) throw new Error("the panel is not built: run `npm run build:web` first");
  base = workerUrl();
  admin = await adminSession();
  await fake.addModel(FLASH_MODEL);
  await fake.addModel(PRO_MODEL);
  // What other test files left goes, so every call here is served by the two keys added
  // through the panel and the panel starts from its empty states.
  await clearPool(admin);
  ui = await openPanelBrowser();
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await ui?.close();
});

describe("admin panel in Chromium", () => {
  it("sends /admin without a session to /login", async () => {
    const response = await ui.page.goto(`${base}/admin`);
    expect(new URL(ui.page.url()).pathname).toBe("/login");
    expect(response?.request().redirectedFrom()?.url()).toBe(`${base}/admin`);
    await expect(ui.page.locator("#password").isVisible()).resolves.toBe(true);
  });

  it("logs in through the form", async () => {
    await ui.page.fill("#password", inject("adminPassword"));
    await ui.page.click("#login-submit");
    await ui.page.waitForURL(`${base}/admin**`);
    await ui.page.locator('[data-chart] canvas, [data-chart] .empty-state').first().waitFor();
    expect(await ui.page.locator("#tab-dashboard").getAttribute("aria-selected")).toBe("true");
  });

  it("moves between tabs with the arrow keys", async () => {
    const { page } = ui;
    await page.focus("#tab-dashboard");
    await page.keyboard.press("ArrowRight");
    expect(await page.locator("#tab-gemini-keys").getAttribute("aria-selected")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("tab-gemini-keys");
    // The panel may still be empty while its data loads, so look at `hidden` rather than the box.
    expect(await page.locator("#panel-gemini-keys").evaluate((panel) => (panel as HTMLElement).hidden)).toBe(false);
    expect(await page.locator("#panel-dashboard").evaluate((panel) => (panel as HTMLElement).hidden)).toBe(true);
    await page.keyboard.press("ArrowLeft");
    expect(await page.locator("#tab-dashboard").getAttribute("aria-selected")).toBe("true");
  });

  it("adds Gemini keys in bulk from the empty state and reports added, duplicate and malformed counts", async () => {
    const { page } = ui;
    const keys = [fakeGeminiKey(), fakeGeminiKey()];
    await page.click("#tab-gemini-keys");
    await page.locator("#panel-gemini-keys .empty-state", { hasText: "No Gemini keys yet." }).waitFor();
    await page.getByLabel("Keys", { exact: true }).fill(`${keys[0]}\n${keys[1]}, ${keys[0]} not-a-key`);
    await page.getByLabel("Name (optional)").fill(HOSTILE_NAME);
    await page.getByRole("button", { name: "Add keys" }).click();
    await page.locator(".toast").filter({ hasText: "Added 2, duplicates 1, malformed 1." }).waitFor();

    const listed = await admin.get<ListedKey[]>("/api/admin/gemini-keys");
    for (const key of keys) {
      const found = listed.find((item) => item.masked.endsWith(key.slice(-4)) && item.name.startsWith(HOSTILE_NAME));
      if (!found) throw new Error(`added key …${key.slice(-4)} not found in ${JSON.stringify(listed)}`);
      myKeys.push({ key, id: found.id, name: found.name, masked: found.masked });
    }
    for (const mine of myKeys) {
      await page.locator("tbody tr", { hasText: mine.masked }).waitFor();
    }
  });

  it("marks a key paid with its switch and back (PATCH {paid}; Imagen runs only on paid keys)", async () => {
    const { page } = ui;
    const mine = myKeys[0]!;
    const paidOf = async () => (await admin.get<Array<ListedKey & { paid: boolean }>>("/api/admin/gemini-keys")).find((key) => key.id === mine.id)?.paid;
    expect(await paidOf()).toBe(false);
    const row = page.locator("tbody tr", { hasText: mine.masked });
    await page.getByLabel(`Paid (billed project): ${mine.name}`, { exact: true }).check();
    await row.locator(".paid-switch", { hasText: "paid" }).waitFor();
    expect(await paidOf()).toBe(true);
    expect(await (await admin.get<Array<ListedKey & { paid: boolean }>>("/api/admin/gemini-keys")).find((key) => key.id === myKeys[1]!.id)?.paid).toBe(false);
    await page.getByLabel(`Paid (billed project): ${mine.name}`, { exact: true }).uncheck();
    await row.locator(".paid-switch", { hasText: "free" }).waitFor();
    expect(await paidOf()).toBe(false);
  });

  it("adds a model from Google's list (category suggested) and one by hand, from the empty state", async () => {
    const { page } = ui;
    await page.click("#tab-models");
    await page.locator("#panel-models .empty-state", { hasText: "No models configured." }).waitFor();
    await page.getByRole("button", { name: "Load from Google" }).click();
    await page.getByLabel("Filter").fill(FLASH_MODEL);
    const suggestion = page.locator("tr", { has: page.locator("code", { hasText: FLASH_MODEL }) });
    await expect(suggestion.locator("select").inputValue()).resolves.toBe("flash");
    await page.getByRole("button", { name: `Add ${FLASH_MODEL}` }).click();
    await page.locator(".toast").filter({ hasText: `Model ${FLASH_MODEL} added.` }).waitFor();

    // A model id the Worker refuses: its own message comes back as an error notice.
    await page.getByLabel("Model id").fill("bad id!");
    await page.getByRole("button", { name: "Add model" }).click();
    await page.locator(".toast-error", { hasText: "model id may hold letters, digits" }).waitFor();
    expectedConsoleErrors.push("/api/admin/models");

    await page.getByLabel("Model id").fill(PRO_MODEL);
    await page.getByLabel("Category", { exact: true }).selectOption("pro");
    await page.getByLabel("Individual quota per key").fill("500");
    await page.getByRole("button", { name: "Add model" }).click();
    await page.locator(".toast").filter({ hasText: `Model ${PRO_MODEL} added.` }).waitFor();

    const models = await admin.get<{ id: string; category: string; individualQuota: number | null }[]>("/api/admin/models");
    expect(models.find((model) => model.id === FLASH_MODEL)?.category).toBe("flash");
    expect(models.find((model) => model.id === PRO_MODEL)).toMatchObject({ category: "pro", individualQuota: 500 });
  });

  it("creates a client key from the empty state, shows it once, and edits its options", async () => {
    const { page } = ui;
    await page.click("#tab-client-keys");
    await page.locator("#panel-client-keys .empty-state", { hasText: "No client keys yet." }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill(HOSTILE_NAME);
    await page.getByRole("button", { name: "Create key" }).click();
    const dialog = page.locator("dialog[open]");
    await dialog.waitFor();
    clientKey = await dialog.locator(".secret-field").inputValue();
    expect(clientKey.length).toBeGreaterThan(20);
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain(clientKey);

    const row = page.locator("tbody tr", { hasText: HOSTILE_NAME });
    await row.getByRole("button", { name: "Edit" }).click();
    await page.locator("dialog[open]").getByLabel("Daily request limit").fill("1000");
    await page.locator("dialog[open]").getByRole("button", { name: "Save" }).click();
    await row.filter({ hasText: "1,000 requests a day" }).waitFor();
    const clients = await admin.get<{ id: string; name: string; options: { dailyLimit: number | null } }[]>("/api/admin/worker-keys");
    const created = clients.find((client) => client.name === HOSTILE_NAME);
    expect(created?.options.dailyLimit).toBe(1000);
    clientKeyId = created!.id;
  });

  it("proxies calls through the pool with the OpenAI client", async () => {
    const client: OpenAI = openaiClient(clientKey);
    await waitFor(
      async () => {
        const ids = new Set((await client.models.list()).data.map((model) => model.id));
        return ids.has(FLASH_MODEL) && ids.has(PRO_MODEL);
      },
      { timeoutMs: 15_000, message: "panel-added models never reached /v1/models" },
    );
    const before = (await fake.requests()).length;
    for (const [model, calls] of [[FLASH_MODEL, 3], [PRO_MODEL, 2]] as const) {
      for (let i = 0; i < calls; i++) {
        const answer = await client.chat.completions.create({ model, messages: [{ role: "user", content: `panel call ${i}` }] });
        tokensByModel.set(model, (tokensByModel.get(model) ?? 0) + (answer.usage?.total_tokens ?? 0));
      }
    }
    const served = await upstreamCallsSince(before);
    expect(served).toHaveLength(5);
    for (const mine of myKeys) {
      const count = served.filter((call) => call.apiKey === mine.key).length;
      servedByKey.set(mine.id, count);
      expectedByKey.set(mine.id, { requests: count, errors: 0 });
    }

    // One call that fails: both keys answer a per-day 429, so the client gets 429 (rate_limited).
    for (const mine of myKeys) await fake.script(mine.key, ["rate_limit_day"]);
    const failedFrom = (await fake.requests()).length;
    await expect(client.chat.completions.create({ model: PRO_MODEL, messages: [{ role: "user", content: "panel call fails" }] })).rejects.toMatchObject({ status: 429 });
    const attempts = await upstreamCallsSince(failedFrom);
    expect(attempts.length).toBeGreaterThan(0);
    const lastKey = myKeys.find((mine) => mine.key === attempts.at(-1)!.apiKey)!;
    const tally = expectedByKey.get(lastKey.id)!;
    expectedByKey.set(lastKey.id, { requests: tally.requests + 1, errors: tally.errors + 1 });

    // The ledger is written in waitUntil; the charts read it.
    await waitFor(
      async () => {
        const usage = await admin.get<UsageTotals>(`/api/admin/usage?from=${today}&to=${today}&by=client`);
        const requests = usage.rows.find((row) => row.group === clientKeyId)?.requests;
        if (requests !== 6) throw new Error(`ledger shows ${requests} requests`);
        return true;
      },
      { timeoutMs: 15_000, message: "6 ledger rows for the panel's client key" },
    );
    // The live KV counters are written a moment later than the answer (spaced writes).
    await waitFor(
      async () => {
        const pool = await admin.get<PoolToday>("/api/admin/pool/today");
        const shown = myKeys.map((mine) => pool.keys.find((key) => key.id === mine.id)?.total);
        const expected = myKeys.map((mine) => servedByKey.get(mine.id));
        // Thrown, so a timeout reports what the counters said.
        if (JSON.stringify(shown) !== JSON.stringify(expected)) throw new Error(`counters ${JSON.stringify(shown)}, expected ${JSON.stringify(expected)}`);
        return true;
      },
      { timeoutMs: 15_000, message: "today's counters of the panel's keys" },
    );
  });

  it("draws every dashboard chart from those calls, with matching table views", async () => {
    const { page } = ui;
    await page.click("#tab-dashboard");
    await page.locator('[data-range="today"]').click();
    await page.locator(".range-text", { hasText: `${today} to ${today}` }).waitFor();
    await page.locator('[data-chart="latency"] canvas').waitFor();

    const painted = await paintedPixels(page);
    for (const chart of ["requests-by-model", "tokens-by-model", "by-key", "by-client", "errors-by-outcome", "latency"]) {
      expect(painted[chart], `${chart} canvas`).toBeGreaterThan(500);
    }

    const requests = await chartTable(page, "requests-by-model");
    expect(numberIn(cell(requests, today, FLASH_MODEL))).toBe(3);
    expect(numberIn(cell(requests, today, PRO_MODEL))).toBe(3);

    const tokens = await chartTable(page, "tokens-by-model");
    expect(tokensByModel.get(FLASH_MODEL)).toBeGreaterThan(0);
    expect(numberIn(cell(tokens, today, FLASH_MODEL))).toBe(tokensByModel.get(FLASH_MODEL));
    expect(numberIn(cell(tokens, today, PRO_MODEL))).toBe(tokensByModel.get(PRO_MODEL));

    const byKey = await chartTable(page, "by-key");
    for (const mine of myKeys) {
      const label = byKey.rows.find((row) => row[0]!.includes(mine.masked))?.[0];
      const expected = expectedByKey.get(mine.id)!;
      if (expected.requests === 0) continue;
      expect(label, `row for ${mine.masked}`).toContain(HOSTILE_NAME);
      expect(numberIn(cell(byKey, label!, "Requests"))).toBe(expected.requests);
      expect(numberIn(cell(byKey, label!, "Errors"))).toBe(expected.errors);
    }

    const byClient = await chartTable(page, "by-client");
    expect(numberIn(cell(byClient, HOSTILE_NAME, "Requests"))).toBe(6);
    expect(numberIn(cell(byClient, HOSTILE_NAME, "Errors"))).toBe(1);

    const errors = await chartTable(page, "errors-by-outcome");
    expect(numberIn(cell(errors, today, "Rate limited"))).toBeGreaterThanOrEqual(1);

    const latency = await chartTable(page, "latency");
    expect(numberIn(cell(latency, today, "Total p50 (ms)"))).toBeGreaterThan(0);

    const todayPanel = page.locator('[data-panel="today"]');
    const capacity = todayPanel.locator("table").first();
    expect(await capacity.locator("tr", { hasText: FLASH_MODEL }).locator("td").nth(2).textContent()).toBe("3");
    expect(await capacity.locator("tr", { hasText: PRO_MODEL }).locator("td").nth(2).textContent()).toBe("2");
    for (const mine of myKeys) {
      const row = todayPanel.locator("table").nth(1).locator("tr", { hasText: mine.name });
      expect(await row.locator("td").nth(1).textContent()).toBe(String(servedByKey.get(mine.id)));
    }

    const csvHref = await page.locator('[data-chart="by-client"] a[download]').getAttribute("href");
    expect(csvHref).toBe(`/api/admin/usage/export.csv?from=${today}&to=${today}&by=client`);
    const csv = await page.request.get(`${base}${csvHref}`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain(clientKeyId);

    // A custom range: the day before today through today, one table row per day.
    const yesterday = new Date(Date.parse(`${today}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await page.locator('[data-range="custom"]').click();
    const customRange = page.locator("#panel-dashboard .custom-range");
    await customRange.getByLabel("From", { exact: true }).fill(yesterday);
    await customRange.getByLabel("To", { exact: true }).fill(today);
    await customRange.getByRole("button", { name: "Apply" }).click();
    await page.locator(".range-text", { hasText: `${yesterday} to ${today}` }).waitFor();
    await page.locator('[data-chart="requests-by-model"] canvas').waitFor();
    const twoDays = await chartTable(page, "requests-by-model");
    expect(twoDays.rows.map((row) => row[0])).toEqual([yesterday, today]);
    expect(numberIn(cell(twoDays, today, FLASH_MODEL))).toBe(3);
    expect(await page.locator('[data-range="custom"]').getAttribute("aria-pressed")).toBe("true");
    await page.locator('[data-range="today"]').click();
    await page.locator(".range-text", { hasText: `${today} to ${today}` }).waitFor();
    await page.locator('[data-chart="latency"] canvas').waitFor();

    await dismissToasts();
    await page.screenshot({ path: path.join(SCREENSHOTS, "dashboard-light.png"), fullPage: true });
  });

  it("adds a model alias in the Models tab, and a chat call under an aliased name is served by its model", async () => {
    const { page } = ui;
    await page.click("#tab-models");
    const aliases = page.locator("#panel-models section", { has: page.locator("h2", { hasText: "Model aliases" }) });
    await aliases.locator(".empty-state", { hasText: "No aliases." }).waitFor();
    await aliases.getByLabel("Alias or pattern").fill(ALIAS_PATTERN);
    await aliases.getByLabel("Model", { exact: true }).selectOption(FLASH_MODEL);
    await aliases.getByRole("button", { name: "Add alias" }).click();
    await page.locator(".toast").filter({ hasText: `Alias ${ALIAS_PATTERN} added.` }).waitFor();
    await aliases.locator("tbody tr", { hasText: ALIAS_PATTERN }).filter({ hasText: FLASH_MODEL }).waitFor();
    expect(await admin.get("/api/admin/model-aliases")).toEqual([{ alias: ALIAS_PATTERN, model: FLASH_MODEL, broken: false }]);

    const client: OpenAI = openaiClient(clientKey);
    const before = (await fake.requests()).length;
    // Admin changes reach the proxy within 5 s in local dev: until then the name is not found.
    const answer = await waitFor(
      () =>
        client.chat.completions
          .create({ model: ALIASED_NAME, messages: [{ role: "user", content: "panel alias call" }] })
          .catch((error: { status?: number }) => {
            if (error.status === 404) return null;
            throw error;
          }),
      { timeoutMs: 15_000, message: "a chat call under the alias" },
    );
    expect(answer.model).toBe(ALIASED_NAME);
    expect(answer.choices[0]?.message.content).toBeTruthy();
    const served = await upstreamCallsSince(before);
    expect(served.map((call) => call.model)).toEqual([FLASH_MODEL]);

    // The ledger keeps both names; the tab shows the name sent with the model that served it.
    await waitFor(
      async () => {
        await page.click("#tab-dashboard");
        await page.click("#tab-models");
        const sent = page.getByRole("region", { name: "Names clients sent under an alias, last 7 days" });
        return (await sent.locator("tbody tr", { hasText: ALIASED_NAME }).count()) === 1;
      },
      { timeoutMs: 15_000, intervalMs: 500, message: "the name sent under the alias in the Models tab" },
    );
    const sentRow = page.getByRole("region", { name: "Names clients sent under an alias, last 7 days" }).locator("tbody tr", { hasText: ALIASED_NAME });
    expect(await sentRow.locator("td").allTextContents()).toEqual([ALIASED_NAME, FLASH_MODEL, "1", "0"]);
    await dismissToasts();
  });

  it("counts a speech call in the dashboard's Media card, per model and per key (names as text)", async () => {
    const { page } = ui;
    await fake.addModel(TTS_MODEL);
    await admin.post("/api/admin/models", { id: TTS_MODEL, category: "custom" });
    const client: OpenAI = openaiClient(clientKey);
    const input = "Hello panel";
    const speech = await waitFor(
      () =>
        client.audio.speech.create({ model: TTS_MODEL, input, voice: "alloy", response_format: "wav" }).catch((error: { status?: number }) => {
          if (error.status === 404) return null;
          throw error;
        }),
      { timeoutMs: 15_000, message: "a speech call on the panel's TTS model" },
    );
    expect(speech.headers.get("content-type")).toBe("audio/wav");
    await speech.arrayBuffer();
    await waitFor(
      async () => {
        const usage = await admin.get<{ rows: { group: string; speechCharacters?: number }[] }>(`/api/admin/usage?from=${today}&to=${today}&by=model`);
        return usage.rows.find((row) => row.group === TTS_MODEL)?.speechCharacters === input.length;
      },
      { timeoutMs: 15_000, message: "the speech call's characters in the usage report" },
    );

    await page.click("#tab-models");
    await page.click("#tab-dashboard");
    const media = page.locator('[data-panel="media"]');
    const modelRow = media.locator("tr", { has: page.locator("code", { hasText: TTS_MODEL }) });
    await modelRow.waitFor();
    // Model, images, audio minutes, characters spoken, files, file size: the fake reads 50 ms a character (0.55 s).
    expect(await modelRow.locator("td").allTextContents()).toEqual([TTS_MODEL, "0", "0.1", String(input.length), "0", "0 B"]);
    // Other files' keys may have media today too: the panel's own keys (named HOSTILE_NAME) spoke these characters.
    const speechCalls = (await fake.requests()).filter((request) => request.model === TTS_MODEL);
    const speaker = myKeys.find((mine) => mine.key === speechCalls.at(-1)?.apiKey)!;
    const keyRow = media.locator("table").first().locator("tbody tr", { hasText: speaker.masked });
    expect(await keyRow.locator("td").first().textContent()).toBe(`${speaker.name} (${speaker.masked})`);
    expect(speaker.name).toContain(HOSTILE_NAME);
    expect(await keyRow.locator("td").nth(3).textContent()).toBe(String(input.length));
    expect(await media.locator("img").count()).toBe(0);
    // The models tab's later checks list the models this file added by hand: the TTS model goes.
    await admin.del(`/api/admin/models/${encodeURIComponent(TTS_MODEL)}`);
  });

  it("scrolls sideways on no tab at 390 px", async () => {
    const { page } = ui;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      // What shows that a tab's data has landed (the widest content: tables, charts).
      const loaded: Record<string, string> = {
        dashboard: '[data-panel="today"] table',
        "gemini-keys": "#panel-gemini-keys tbody tr",
        "client-keys": "#panel-client-keys tbody tr",
        models: "#panel-models tbody tr",
        settings: '[data-panel="plan"] tbody tr',
      };
      const tabs = await page.locator('[role="tab"]').evaluateAll((elements) => elements.map((element) => (element as HTMLElement).dataset.tab!));
      expect(tabs).toEqual(expect.arrayContaining(Object.keys(loaded)));
      const widths: Record<string, { scrollWidth: number; innerWidth: number }> = {};
      for (const tab of tabs) {
        await page.click(`#tab-${tab}`);
        const ready = loaded[tab] ?? `#panel-${tab} .card`;
        await page.locator(ready).first().waitFor();
        if (tab === "dashboard") await page.locator('[data-chart="latency"] canvas').waitFor();
        await dismissToasts();
        widths[tab] = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
        await page.screenshot({ path: path.join(SCREENSHOTS, `mobile-${tab}.png`), fullPage: true });
      }
      for (const [tab, { scrollWidth, innerWidth }] of Object.entries(widths)) {
        expect(innerWidth, tab).toBe(390);
        expect(scrollWidth, `${tab} is ${scrollWidth} px wide`).toBeLessThanOrEqual(innerWidth);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.click("#tab-dashboard");
      await page.locator('[data-chart="latency"] canvas').waitFor();
    }
  });

  it("switches to the dark theme and to Chinese, and remembers both", async () => {
    const { page } = ui;
    await page.click("#theme-toggle");
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
    expect(await page.locator("#theme-toggle").getAttribute("aria-pressed")).toBe("true");
    await page.locator('[data-chart="latency"] canvas').waitFor();
    const painted = await paintedPixels(page);
    expect(Math.min(...Object.values(painted))).toBeGreaterThan(500);
    await page.screenshot({ path: path.join(SCREENSHOTS, "dashboard-dark.png"), fullPage: true });

    await page.click("#language-toggle");
    expect(await page.locator("html").getAttribute("lang")).toBe("zh-CN");
    expect(await page.locator("#tab-dashboard").textContent()).toBe("仪表盘");
    await page.locator('[data-chart="requests-by-model"] h3', { hasText: "每日请求数（按模型）" }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "dashboard-dark-zh.png"), fullPage: true });

    await page.reload();
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
    expect(await page.locator("#tab-gemini-keys").textContent()).toBe("Gemini 密钥");
    await page.click("#language-toggle");
    expect(await page.locator("#tab-dashboard").textContent()).toBe("Dashboard");
  });

  it("shows per-model key state, tests a key and resets quotas", async () => {
    const { page } = ui;
    await page.click("#tab-gemini-keys");
    const exhausted = page.locator("tbody tr", { hasText: myKeys[0]!.masked }).locator("li", { hasText: PRO_MODEL });
    const refresh = page.locator("#panel-gemini-keys").getByRole("button", { name: "Refresh" });
    // Each poll asks for a fresh list (Refresh stays disabled until the previous list has
    // landed) and counts what is shown; a slow answer only delays convergence.
    const exhaustedShown = async () => {
      await refresh.click();
      return exhausted.filter({ hasText: "exhausted until" }).count();
    };
    await waitFor(async () => (await exhaustedShown()) === 1, { timeoutMs: 20_000, intervalMs: 500, message: "exhausted state shown" });
    await dismissToasts();
    await page.screenshot({ path: path.join(SCREENSHOTS, "gemini-keys-dark.png"), fullPage: true });

    const row = page.locator("tbody tr", { hasText: myKeys[1]!.masked });
    await row.getByRole("button", { name: "Test", exact: true }).click();
    await row.locator(".badge", { hasText: /^OK · 200 · / }).waitFor();

    await page.getByRole("button", { name: "Reset quotas now" }).click();
    await page.locator("dialog[open]").getByRole("button", { name: "Reset quotas now" }).click();
    await page.locator(".toast", { hasText: "Quotas reset." }).waitFor();
    await waitFor(async () => (await exhaustedShown()) === 0, { timeoutMs: 20_000, intervalMs: 500, message: "exhausted state cleared" });

    // "Test all" with a progress bar: each key's probe answers after a moment.
    for (const mine of myKeys) await fake.script(mine.key, ["slow:600"]);
    await page.getByRole("button", { name: "Test all" }).click();
    await page.locator("#panel-gemini-keys progress").waitFor();
    await page.locator(".toast", { hasText: "Test finished: 2 passed, 0 failed." }).waitFor();
    expect(await page.locator("#panel-gemini-keys progress").count()).toBe(0);

    // ... and cancelled while the probes are still running.
    for (const mine of myKeys) await fake.script(mine.key, ["slow:3000"]);
    await page.getByRole("button", { name: "Test all" }).click();
    await page.locator("#panel-gemini-keys").getByRole("button", { name: "Cancel" }).click();
    await page.locator(".toast", { hasText: "Test cancelled after 0 of 2 keys." }).waitFor();
  });

  it("renders names that look like HTML as text", async () => {
    const { page } = ui;
    for (const tab of ["#tab-gemini-keys", "#tab-client-keys", "#tab-dashboard"]) {
      await page.click(tab);
      await page.getByText(HOSTILE_NAME).filter({ visible: true }).first().waitFor();
      expect(await page.locator('img[src="x"]').count()).toBe(0);
    }
    expect(await page.locator("img").evaluateAll((images) => images.map((image) => image.getAttribute("src")))).toEqual(["/favicon.svg"]);
    expect(ui.dialogs).toEqual([]);
  });

  it("saves settings", async () => {
    const { page } = ui;
    const original = await admin.get<{ quotas: { pro: number; flash: number }; keepAliveSeconds: number }>("/api/admin/settings");
    try {
      await page.click("#tab-settings");
      await page.getByLabel("Pro calls per key per day").fill(String(original.quotas.pro + 7));
      await page.getByLabel("Keep-alive interval (s)").fill("121");
      await page.getByRole("button", { name: "Save" }).click();
      // The browser refuses a value above the Worker's bound before anything is sent.
      expect(await page.getByLabel("Keep-alive interval (s)").evaluate((input: HTMLInputElement) => input.validity.rangeOverflow)).toBe(true);
      await page.getByLabel("Keep-alive interval (s)").fill("20");
      await page.getByLabel("Database size limit (MB)").fill("300");
      await dismissToasts();
      await page.getByRole("button", { name: "Save" }).click();
      await page.locator(".toast", { hasText: "Saved." }).waitFor();
      expect(await admin.get("/api/admin/settings")).toMatchObject({ quotas: { pro: original.quotas.pro + 7 }, keepAliveSeconds: 20, retentionMaxMb: 300 });
      // The free-plan section follows the saved limit.
      await page.locator('[data-panel="plan"] .plan-database', { hasText: "above 300 MB" }).waitFor();
    } finally {
      await admin.put("/api/admin/settings", original);
    }
  });

  it("shows the free plan's use today on the settings page, and states a limit hit as text", async () => {
    const { page } = ui;
    const hitAt = new Date();
    hitAt.setUTCHours(14, 2, 0, 0);
    // A limit hit cannot be provoked locally: the real answer gets one added on its way to the page.
    await page.route("**/api/admin/plan", async (route) => {
      const response = await route.fetch();
      const plan = (await response.json()) as { limitHits: unknown[] };
      plan.limitHits = [{ resource: "kv_writes", at: hitAt.toISOString(), detail: HOSTILE_NAME }];
      await route.fulfill({ response, json: plan });
    });
    try {
      await page.click("#tab-dashboard");
      await page.click("#tab-settings");
      const section = page.locator('[data-panel="plan"]');
      await section.waitFor();
      expect(await section.locator("h2").textContent()).toMatch(/^Free plan today \(\d{4}-\d{2}-\d{2}, UTC\)$/);
      const rows = section.locator("tbody tr");
      expect(await rows.count()).toBe(7);
      const cells = async (name: string) => rows.filter({ hasText: name }).first().locator("td").allTextContents();
      // This run's admin changes (keys, models, client key, settings) are KV writes, counted.
      const kvWrites = await cells("KV writes");
      expect(kvWrites[1]).toMatch(/^[\d,]+ \/ 1,000$/);
      expect(numberIn(kvWrites[1]!.split("/")[0])).toBeGreaterThan(0);
      expect(kvWrites[3]).toBe("counted");
      // The calls this file made are in the ledger: the Worker-request estimate has them.
      const requests = await cells("Worker requests");
      expect(requests[1]).toMatch(/ \/ 100,000$/);
      expect(requests[3]).toBe("estimate");
      expect(await section.locator("meter").count()).toBe(8); // one per resource and the database
      expect(await section.locator(".plan-database").textContent()).toMatch(/^Database size: [\d.,]+ MB of 500 MB; older call records are deleted above \d+ MB$/);
      await section.locator(".warning", { hasText: `KV writes limit reached at 14:02 UTC: ${HOSTILE_NAME}` }).waitFor();
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      await dismissToasts();
      await page.screenshot({ path: path.join(SCREENSHOTS, "settings-plan.png"), fullPage: true });
    } finally {
      // Waits for a handler still running (a later refresh of the section) before removing it.
      await page.unrouteAll({ behavior: "wait" });
    }
  });

  it("renames, disables and bulk-deletes keys, edits and deletes models, revokes the client key", async () => {
    const { page } = ui;
    await page.click("#tab-gemini-keys");
    const second = page.locator("#panel-gemini-keys tbody tr", { hasText: myKeys[1]!.masked });
    await second.getByRole("button", { name: "Rename" }).click();
    await page.locator("dialog[open]").getByLabel("Name").fill("renamed key");
    await page.locator("dialog[open]").getByRole("button", { name: "Save" }).click();
    await second.locator(".key-name", { hasText: "renamed key" }).waitFor();
    await second.getByRole("button", { name: "Disable" }).click();
    await second.locator(".badge", { hasText: "Disabled" }).waitFor();
    expect((await admin.get<ListedKey[]>("/api/admin/gemini-keys")).find((key) => key.id === myKeys[1]!.id)).toMatchObject({ name: "renamed key", enabled: false });

    await page.getByLabel("Select all").check();
    await page.getByRole("button", { name: "Delete selected (2)" }).click();
    await page.locator("dialog[open]").getByRole("button", { name: "Delete" }).click();
    await page.locator(".toast", { hasText: "Deleted 2 keys." }).waitFor();
    await page.locator("#panel-gemini-keys .empty-state").waitFor();
    expect(await admin.get<ListedKey[]>("/api/admin/gemini-keys")).toEqual([]);

    await page.click("#tab-models");
    const pro = page.locator("#panel-models tbody tr", { hasText: PRO_MODEL });
    await pro.getByRole("button", { name: "Edit" }).click();
    await page.locator("dialog[open]").getByLabel("Individual quota per key").fill("750");
    await page.locator("dialog[open]").getByRole("button", { name: "Save" }).click();
    await pro.locator("td", { hasText: "750" }).waitFor();
    await dismissToasts();
    await page.getByRole("region", { name: "Configured models" }).locator("tbody tr", { hasText: FLASH_MODEL }).getByRole("button", { name: "Delete" }).click();
    await page.locator("dialog[open]").getByRole("button", { name: "Delete" }).click();
    await page.locator(".toast", { hasText: "Deleted." }).waitFor();
    const models = await admin.get<{ id: string; individualQuota: number | null }[]>("/api/admin/models");
    expect(models).toEqual([expect.objectContaining({ id: PRO_MODEL, individualQuota: 750 })]);
    // The alias pointing at the deleted model stays, shown as broken, until it is deleted too.
    const aliasRow = page.getByRole("region", { name: "Model aliases" }).locator("tbody tr", { hasText: ALIAS_PATTERN });
    await aliasRow.locator(".badge", { hasText: "Model not configured" }).waitFor();
    expect(await admin.get("/api/admin/model-aliases")).toEqual([{ alias: ALIAS_PATTERN, model: FLASH_MODEL, broken: true }]);
    await dismissToasts();
    await aliasRow.getByRole("button", { name: `Delete alias ${ALIAS_PATTERN}` }).click();
    await page.locator("dialog[open]").getByRole("button", { name: "Delete" }).click();
    await aliasRow.waitFor({ state: "detached" });
    expect(await admin.get("/api/admin/model-aliases")).toEqual([]);

    await page.click("#tab-client-keys");
    const row = page.locator("#panel-client-keys tbody tr", { hasText: HOSTILE_NAME });
    await row.getByRole("button", { name: "Disable" }).click();
    await row.getByRole("button", { name: "Enable" }).waitFor();
    // Admin changes reach the proxy within 5 s in local dev.
    await waitFor(
      () => openaiClient(clientKey).models.list().then(() => false, (error: { status?: number }) => error.status === 401),
      { message: "a disabled client key gets 401" },
    );
    await row.getByRole("button", { name: "Revoke" }).click();
    await page.locator("dialog[open]").getByRole("button", { name: "Revoke" }).click();
    await page.locator("#panel-client-keys .empty-state").waitFor();
    expect(await admin.get<unknown[]>("/api/admin/worker-keys")).toEqual([]);
  });

  it("logged no console errors, page errors or failed requests", () => {
    // Chromium logs every 4xx answer; the ones this file asked for are taken out, once each.
    const problems = [...ui.problems];
    for (const path of expectedConsoleErrors) {
      const index = problems.findIndex((problem) => problem.includes("status of 400") && problem.includes(`${base}${path}`));
      expect(index, `the expected 400 from ${path}`).toBeGreaterThanOrEqual(0);
      problems.splice(index, 1);
    }
    expect(problems).toEqual([]);
  });
});
