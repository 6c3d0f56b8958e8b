/**
 * The Models tab's aliases: names (or `*` patterns) clients may send for a configured model,
 * e.g. Claude Code's `claude-*sonnet*`. An alias whose model was deleted is marked broken.
 */
import { api } from "../lib/api";
import { confirmAction, openDialog } from "../lib/dialog";
import { h } from "../lib/dom";
import { t } from "../lib/i18n";
import { toast, toastError } from "../lib/toast";
import { formatNumber } from "../lib/format";
import type { ModelAlias, ModelConfig, RequestedName } from "../lib/types";
import { badge, button, dataTable, field, section } from "../lib/ui";

const url = (alias: string) => `/api/admin/model-aliases/${encodeURIComponent(alias)}`;

function modelSelect(models: ModelConfig[], selected: string | null): HTMLSelectElement {
  return h(
    "select",
    { required: true },
    models.map((model) => h("option", { value: model.id, selected: model.id === selected }, model.id)),
  );
}

export interface AliasSection {
  render(aliases: ModelAlias[], models: ModelConfig[], requested: RequestedName[]): HTMLElement;
}

/**
 * The aliases section; `reload` fetches models and aliases again and renders the tab. The
 * add form's fields live as long as the tab, so a render (the tab's data landing) keeps what
 * the admin is typing.
 */
export function createAliasSection(reload: () => Promise<void>): AliasSection {
  const aliasInput = h("input", { type: "text", autocomplete: "off", required: true, class: "mono", placeholder: "claude-*sonnet*", maxlength: 200 });
  let targetSelect = modelSelect([], null);

  async function add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const alias = aliasInput.value.trim();
    try {
      await api.post("/api/admin/model-aliases", { alias, model: targetSelect.value });
      toast(t("aliases.added", { alias }), "success");
      aliasInput.value = "";
      await reload();
    } catch (error) {
      toastError(error);
    }
  }

  function edit(alias: ModelAlias, models: ModelConfig[]): void {
    const select = modelSelect(models, alias.model);
    openDialog({
      title: t("aliases.editTitle", { alias: alias.alias }),
      body: field(t("aliases.model"), select),
      confirmLabel: t("common.save"),
      onConfirm: async () => {
        await api.put(url(alias.alias), { model: select.value });
        toast(t("common.saved"), "success");
        await reload();
      },
    });
  }

  async function remove(alias: ModelAlias): Promise<void> {
    if (!(await confirmAction(t("aliases.deleteTitle"), t("aliases.deleteConfirm", { alias: alias.alias }), t("common.delete")))) return;
    try {
      await api.delete(url(alias.alias));
      toast(t("common.deleted"), "success");
      await reload();
    } catch (error) {
      toastError(error);
    }
  }

  function render(aliases: ModelAlias[], models: ModelConfig[], requested: RequestedName[]): HTMLElement {
    targetSelect = modelSelect(models, targetSelect.value || null);
    const table = dataTable(
      t("aliases.caption"),
      [
        { header: t("aliases.alias"), cell: (alias) => h("code", {}, alias.alias) },
        {
          header: t("aliases.model"),
          cell: (alias) => [h("code", {}, alias.model), alias.broken && " ", alias.broken && badge(t("aliases.broken"), "bad")],
        },
        {
          header: t("common.actions"),
          className: "col-actions",
          cell: (alias) =>
            h(
              "div",
              { class: "row-actions" },
              button(t("common.edit"), () => edit(alias, models), "btn btn-small", { "aria-label": t("aliases.editNamed", { alias: alias.alias }) }),
              button(t("common.delete"), () => void remove(alias), "btn btn-small btn-danger", { "aria-label": t("aliases.deleteNamed", { alias: alias.alias }) }),
            ),
        },
      ],
      aliases,
      t("aliases.empty"),
    );
    const form =
      models.length === 0
        ? h("p", { class: "muted aliases-form" }, t("aliases.needModel"))
        : h(
            "form",
            { class: "form-grid aliases-form", onsubmit: (event: SubmitEvent) => void add(event) },
            field(t("aliases.alias"), aliasInput, t("aliases.aliasHint")),
            field(t("aliases.model"), targetSelect),
            h("div", { class: "form-actions" }, h("button", { type: "submit", class: "btn btn-primary" }, t("aliases.add"))),
          );
    const sent = dataTable(
      t("aliases.sentCaption"),
      [
        { header: t("aliases.sentName"), cell: (row) => h("code", {}, row.requested) },
        { header: t("aliases.model"), cell: (row) => h("code", {}, row.model) },
        { header: t("aliases.requests"), cell: (row) => formatNumber(row.requests), className: "num" },
        { header: t("aliases.errors"), cell: (row) => formatNumber(row.errors), className: "num" },
      ],
      requested,
      t("aliases.sentEmpty"),
    );
    return section(
      t("aliases.title"),
      h("p", { class: "muted" }, t("aliases.rule")),
      table,
      form,
      h("h3", { class: "sub-title aliases-sent-title" }, t("aliases.sentTitle")),
      sent,
    );
  }

  return { render };
}
