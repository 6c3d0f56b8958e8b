/** The client keys tab: keys that clients of the proxy use; the secret is shown once at creation. */
import { api } from "../lib/api";
import { confirmAction, openDialog } from "../lib/dialog";
import { clear, h } from "../lib/dom";
import { formatDateTime, formatNumber } from "../lib/format";
import { t } from "../lib/i18n";
import { toast, toastError } from "../lib/toast";
import type { ClientKey, ClientKeyOptions, CreatedClientKey } from "../lib/types";
import { badge, button, dataTable, field, section } from "../lib/ui";
import { clientKeyOptionsForm } from "./client-key-options";
import type { Tab } from "./tab";

const DEFAULT_OPTIONS: ClientKeyOptions = { safetyOff: false, systemAsUser: false, allowedModels: null, dailyLimit: null, keepAliveWhitespace: false };

function showCreatedKey(created: CreatedClientKey): void {
  const keyField = h("input", { type: "text", value: created.key, readonly: true, class: "mono secret-field", "aria-describedby": "once-warning" });
  const copy = button(t("clients.copy"), async () => {
    keyField.select();
    try {
      await navigator.clipboard.writeText(created.key);
      toast(t("clients.copied"), "success");
    } catch {
      toast(t("clients.copyManually"), "info");
    }
  }, "btn btn-primary");
  openDialog({
    title: t("clients.createdTitle", { name: created.name }),
    body: [
      h("p", { id: "once-warning", class: "warning" }, t("clients.shownOnce")),
      h("div", { class: "copy-row" }, field(t("clients.key"), keyField), copy),
    ],
  });
  keyField.select();
}

export function createClientKeysTab(panel: HTMLElement): Tab {
  let clients: ClientKey[] = [];
  const nameInput = h("input", { type: "text", autocomplete: "off", required: true, maxlength: 100 });
  const url = (id: string) => `/api/admin/worker-keys/${encodeURIComponent(id)}`;

  async function load(): Promise<void> {
    try {
      clients = await api.get<ClientKey[]>("/api/admin/worker-keys");
    } catch (error) {
      toastError(error);
    }
    render();
  }

  async function create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    try {
      const created = await api.post<CreatedClientKey>("/api/admin/worker-keys", { name: nameInput.value.trim() });
      nameInput.value = "";
      showCreatedKey(created);
      await load();
    } catch (error) {
      toastError(error);
    }
  }

  function edit(client: ClientKey): void {
    const name = h("input", { type: "text", value: client.name, required: true, maxlength: 100 });
    const options = clientKeyOptionsForm({ ...DEFAULT_OPTIONS, ...client.options });
    openDialog({
      title: t("clients.editTitle"),
      body: [field(t("common.name"), name), options.element],
      confirmLabel: t("common.save"),
      onConfirm: async () => {
        await api.patch(url(client.id), { name: name.value.trim(), options: options.read() });
        toast(t("common.saved"), "success");
        await load();
      },
    });
  }

  async function setEnabled(client: ClientKey, enabled: boolean): Promise<void> {
    try {
      await api.patch(url(client.id), { enabled });
      await load();
    } catch (error) {
      toastError(error);
    }
  }

  async function revoke(client: ClientKey): Promise<void> {
    if (!(await confirmAction(t("clients.revokeTitle"), t("clients.revokeConfirm", { name: client.name }), t("clients.revoke")))) return;
    try {
      await api.delete(url(client.id));
      toast(t("common.deleted"), "success");
      await load();
    } catch (error) {
      toastError(error);
    }
  }

  function optionsSummary(options: ClientKeyOptions): HTMLElement {
    return h(
      "ul",
      { class: "compact-list" },
      options.safetyOff ? h("li", {}, t("clients.safetyOff")) : null,
      options.systemAsUser ? h("li", {}, t("clients.systemAsUser")) : null,
      h("li", {}, options.allowedModels?.length ? t("clients.modelsOnly", { models: options.allowedModels.join(", ") }) : t("clients.allModels")),
      h("li", {}, options.dailyLimit === null ? t("clients.noDailyLimit") : t("clients.dailyLimitValue", { n: formatNumber(options.dailyLimit) })),
    );
  }

  function render(): void {
    const form = h(
      "form",
      { class: "form-inline", onsubmit: (event: SubmitEvent) => void create(event) },
      field(t("common.name"), nameInput),
      h("button", { type: "submit", class: "btn btn-primary" }, t("clients.create")),
    );
    const table = dataTable(
      t("clients.tableCaption"),
      [
        { header: t("common.name"), cell: (client) => h("span", { class: "key-name" }, client.name) },
        { header: t("clients.prefix"), cell: (client) => h("code", {}, `${client.prefix}…`) },
        { header: t("clients.created"), cell: (client) => formatDateTime(client.createdAt) },
        { header: t("clients.lastUsed"), cell: (client) => (client.lastUsedAt ? formatDateTime(client.lastUsedAt) : t("clients.never")) },
        { header: t("common.enabled"), cell: (client) => badge(client.enabled ? t("common.yes") : t("common.no"), client.enabled ? "ok" : "muted") },
        { header: t("clients.options"), cell: (client) => optionsSummary({ ...DEFAULT_OPTIONS, ...client.options }) },
        {
          header: t("common.actions"),
          className: "col-actions",
          cell: (client) =>
            h(
              "div",
              { class: "row-actions" },
              button(t("common.edit"), () => edit(client), "btn btn-small"),
              button(client.enabled ? t("common.disable") : t("common.enable"), () => void setEnabled(client, !client.enabled), "btn btn-small"),
              button(t("clients.revoke"), () => void revoke(client), "btn btn-small btn-danger"),
            ),
        },
      ],
      clients,
      t("clients.empty"),
    );
    clear(panel);
    panel.append(section(t("clients.createTitle"), form), section(t("clients.listTitle"), table));
  }

  return { load, render };
}
