/** The Gemini keys tab: bulk add, the pool table with per-model state, today's usage and the paid switch, tests. */
import { api } from "../lib/api";
import { confirmAction, openDialog } from "../lib/dialog";
import { clear, h } from "../lib/dom";
import { formatNumber } from "../lib/format";
import { t } from "../lib/i18n";
import { toast, toastError } from "../lib/toast";
import type { AddKeysResult, GeminiKey, KeyStatus, Settings } from "../lib/types";
import { badge, button, dataTable, field, section, type BadgeKind } from "../lib/ui";
import { modelStates, paidSwitch, usageCell } from "./gemini-keys-cells";
import { testAllKeys, type TestOutcome } from "./gemini-keys-test-all";
import type { Tab } from "./tab";

const STATUS_BADGE: Record<KeyStatus, BadgeKind> = { active: "ok", invalid: "bad", suspended: "bad", disabled: "muted" };

export function createGeminiKeysTab(panel: HTMLElement): Tab {
  let keys: GeminiKey[] = [];
  let quotas: Settings["quotas"] | null = null;
  const selected = new Set<string>();
  const testResults = new Map<string, TestOutcome>();
  let testAll: { controller: AbortController; done: number; total: number } | null = null;

  // Inputs live across renders so a language switch keeps what was typed.
  const keysInput = h("textarea", { rows: 4, spellcheck: false, autocomplete: "off", required: true, class: "mono" });
  const nameInput = h("input", { type: "text", autocomplete: "off", maxlength: 100 });
  const listContainer = h("div", { class: "list" });
  const toolbar = h("div", { class: "toolbar" });

  const url = (id: string) => `/api/admin/gemini-keys/${encodeURIComponent(id)}`;

  let latestLoad = 0;

  async function load(): Promise<void> {
    // Loads can overlap (Refresh, actions); only the newest one may paint.
    const thisLoad = ++latestLoad;
    // Refresh waits for the list it asked for (render() puts an enabled button back).
    toolbar.querySelector<HTMLButtonElement>('[data-action="refresh"]')?.setAttribute("disabled", "");
    try {
      const [list, settings] = await Promise.all([
        api.get<GeminiKey[]>("/api/admin/gemini-keys"),
        api.get<Settings>("/api/admin/settings"),
      ]);
      if (thisLoad !== latestLoad) return;
      keys = list;
      quotas = settings.quotas;
      for (const id of selected) if (!keys.some((key) => key.id === id)) selected.delete(id);
    } catch (error) {
      toastError(error);
    }
    if (thisLoad === latestLoad) render();
  }

  async function addKeys(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const name = nameInput.value.trim();
    try {
      const result = await api.post<AddKeysResult>("/api/admin/gemini-keys", {
        keys: keysInput.value,
        ...(name ? { name } : {}),
      });
      toast(
        t("keys.addedSummary", { added: result.added.length, duplicates: result.duplicates, malformed: result.malformed }),
        result.added.length > 0 ? "success" : "info",
      );
      if (result.added.length > 0) {
        keysInput.value = "";
        nameInput.value = "";
      }
      await load();
    } catch (error) {
      toastError(error);
    }
  }

  async function update(key: GeminiKey, body: { name?: string; enabled?: boolean; paid?: boolean }): Promise<void> {
    try {
      await api.patch<GeminiKey>(url(key.id), body);
    } catch (error) {
      toastError(error);
    }
    await load(); // also puts back a switch the failed change left disabled
  }

  function rename(key: GeminiKey): void {
    const input = h("input", { type: "text", value: key.name, maxlength: 100, required: true });
    openDialog({
      title: t("keys.renameTitle"),
      body: field(t("common.name"), input),
      confirmLabel: t("common.save"),
      onConfirm: async () => {
        await api.patch<GeminiKey>(url(key.id), { name: input.value.trim() });
        await load();
      },
    });
  }

  async function remove(key: GeminiKey): Promise<void> {
    if (!(await confirmAction(t("keys.deleteTitle"), t("keys.deleteConfirm", { name: key.name || key.masked }), t("common.delete")))) return;
    try {
      await api.delete(url(key.id));
      selected.delete(key.id);
      toast(t("common.deleted"), "success");
      await load();
    } catch (error) {
      toastError(error);
    }
  }

  async function bulkDelete(): Promise<void> {
    const ids = [...selected];
    if (!(await confirmAction(t("keys.deleteTitle"), t("keys.bulkDeleteConfirm", { n: ids.length }), t("common.delete")))) return;
    try {
      const result = await api.post<{ deleted: number }>("/api/admin/gemini-keys/bulk-delete", { ids });
      selected.clear();
      toast(t("keys.bulkDeleted", { n: result.deleted }), "success");
      await load();
    } catch (error) {
      toastError(error);
    }
  }

  async function testOne(key: GeminiKey): Promise<void> {
    try {
      const result = await api.post<TestOutcome>(`${url(key.id)}/test`, {});
      testResults.set(key.id, result);
      toast(`${key.name || key.masked}: ${describeTest(result)}`, "ok" in result && result.ok ? "success" : "error");
      await load();
    } catch (error) {
      toastError(error);
    }
  }

  async function runTestAll(): Promise<void> {
    if (testAll || keys.length === 0) return;
    const controller = new AbortController();
    testAll = { controller, done: 0, total: keys.length };
    let passed = 0;
    renderToolbar();
    await testAllKeys(keys.map((key) => key.id), controller.signal, (id, outcome, progress) => {
      testResults.set(id, outcome);
      if ("ok" in outcome && outcome.ok) passed += 1;
      if (testAll) Object.assign(testAll, progress);
      renderToolbar();
    });
    const { done, total } = testAll;
    testAll = null;
    renderToolbar(); // the progress bar goes with the toast, not after the reload
    toast(
      controller.signal.aborted ? t("keys.testAllCancelled", { done, total }) : t("keys.testAllDone", { passed, failed: done - passed }),
      controller.signal.aborted ? "info" : "success",
    );
    await load();
  }

  async function resetQuotas(): Promise<void> {
    if (!(await confirmAction(t("keys.resetTitle"), t("keys.resetConfirm"), t("keys.reset")))) return;
    try {
      await api.post("/api/admin/pool/reset", {});
      toast(t("keys.resetDone"), "success");
      await load();
    } catch (error) {
      toastError(error);
    }
  }

  function describeTest(outcome: TestOutcome): string {
    if ("error" in outcome) return t("keys.testError", { message: outcome.error });
    const summary = t(outcome.ok ? "keys.testOk" : "keys.testFailed", { status: outcome.status, ms: formatNumber(outcome.latencyMs) });
    return outcome.message ? `${summary} — ${outcome.message}` : summary;
  }

  function renderToolbar(): void {
    clear(toolbar);
    if (testAll) {
      const label = t("keys.testAllProgress", { done: testAll.done, total: testAll.total });
      toolbar.append(
        h("progress", { max: testAll.total, value: testAll.done, "aria-label": label, class: "test-progress" }),
        h("span", { role: "status" }, label),
        button(t("common.cancel"), () => testAll?.controller.abort()),
      );
    } else {
      toolbar.append(button(t("keys.testAll"), () => void runTestAll(), "btn", { disabled: keys.length === 0 }));
    }
    toolbar.append(
      button(t("keys.deleteSelected", { n: selected.size }), () => void bulkDelete(), "btn btn-danger", { disabled: selected.size === 0 }),
      button(t("keys.reset"), () => void resetQuotas()),
      button(t("common.refresh"), () => void load(), "btn", { "data-action": "refresh" }),
    );
  }

  function renderList(): void {
    const allSelected = keys.length > 0 && keys.every((key) => selected.has(key.id));
    const selectAll = h("input", { type: "checkbox", checked: allSelected });
    selectAll.addEventListener("change", () => {
      for (const key of keys) {
        if (selectAll.checked) selected.add(key.id);
        else selected.delete(key.id);
      }
      renderList();
      renderToolbar();
    });
    const table = dataTable(
      t("keys.tableCaption"),
      [
        {
          header: "",
          className: "col-select",
          cell: (key) => {
            const box = h("input", { type: "checkbox", checked: selected.has(key.id), "aria-label": t("keys.selectOne", { name: key.name || key.masked }) });
            box.addEventListener("change", () => {
              if (box.checked) selected.add(key.id);
              else selected.delete(key.id);
              renderToolbar();
            });
            return box;
          },
        },
        { header: t("common.name"), cell: (key) => h("span", { class: "key-name" }, key.name || "—") },
        { header: t("keys.key"), cell: (key) => h("code", {}, key.masked) },
        { header: t("common.enabled"), cell: (key) => badge(key.enabled ? t("common.yes") : t("common.no"), key.enabled ? "ok" : "muted") },
        { header: t("keys.paid"), cell: (key) => paidSwitch(key, (paid) => void update(key, { paid })) },
        {
          header: t("keys.status"),
          cell: (key) => [
            badge(t(`keyStatus.${key.status}`), STATUS_BADGE[key.status] ?? "muted"),
            key.statusReason ? h("div", { class: "muted small" }, key.statusReason) : null,
          ],
        },
        { header: t("keys.models"), cell: modelStates },
        { header: t("keys.today"), cell: (key) => usageCell(key, quotas) },
        {
          header: t("keys.lastTest"),
          cell: (key) => {
            const outcome = testResults.get(key.id);
            if (!outcome) return h("span", { class: "muted" }, "—");
            return badge(describeTest(outcome), "ok" in outcome && outcome.ok ? "ok" : "bad");
          },
        },
        {
          header: t("common.actions"),
          className: "col-actions",
          cell: (key) =>
            h(
              "div",
              { class: "row-actions" },
              button(t("common.rename"), () => rename(key), "btn btn-small"),
              button(key.enabled ? t("common.disable") : t("common.enable"), () => void update(key, { enabled: !key.enabled }), "btn btn-small"),
              button(t("keys.test"), () => void testOne(key), "btn btn-small", { disabled: testAll !== null }),
              button(t("common.delete"), () => void remove(key), "btn btn-small btn-danger"),
            ),
        },
      ],
      keys,
      t("keys.empty"),
    );
    clear(listContainer);
    listContainer.append(keys.length > 0 ? h("div", { class: "select-all" }, field(t("keys.selectAll"), selectAll)) : "", table);
  }

  function render(): void {
    keysInput.placeholder = t("keys.bulkPlaceholder");
    const form = h(
      "form",
      { class: "form-grid", onsubmit: (event: SubmitEvent) => void addKeys(event) },
      field(t("keys.bulkLabel"), keysInput, t("keys.bulkHint")),
      field(t("keys.nameOptional"), nameInput),
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "btn btn-primary" }, t("keys.add"))),
    );
    renderToolbar();
    renderList();
    clear(panel);
    panel.append(section(t("keys.addTitle"), form), section(t("keys.poolTitle"), toolbar, listContainer));
  }

  return { load, render };
}
