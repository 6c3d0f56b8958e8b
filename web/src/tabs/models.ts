/** The models tab: configured models with their category and quotas; add by hand or from Google's list. */
import { api } from "../lib/api";
import { confirmAction, openDialog } from "../lib/dialog";
import { clear, h } from "../lib/dom";
import { formatNumber } from "../lib/format";
import { t } from "../lib/i18n";
import { toast, toastError } from "../lib/toast";
import type { AvailableModel, ModelAlias, ModelConfig, RequestedName } from "../lib/types";
import { button, dataTable, field, section } from "../lib/ui";
import { createAliasSection } from "./model-aliases";
import { categorySelect, modelFields, type ModelFields } from "./model-form";
import type { Tab } from "./tab";

export function createModelsTab(panel: HTMLElement): Tab {
  let models: ModelConfig[] = [];
  let aliases: ModelAlias[] = [];
  let requested: RequestedName[] = [];
  let available: AvailableModel[] | null = null;
  const idInput = h("input", { type: "text", autocomplete: "off", required: true, class: "mono", placeholder: "gemini-2.5-flash" });
  let addFields: ModelFields = modelFields({ category: "flash", dailyQuota: null, individualQuota: null });
  const filterInput = h("input", { type: "search", autocomplete: "off" });
  const url = (id: string) => `/api/admin/models/${encodeURIComponent(id)}`;
  const aliasSection = createAliasSection(() => load());

  async function load(): Promise<void> {
    try {
      let sent: { rows: RequestedName[] };
      [models, aliases, sent] = await Promise.all([
        api.get<ModelConfig[]>("/api/admin/models"),
        api.get<ModelAlias[]>("/api/admin/model-aliases"),
        api.get<{ rows: RequestedName[] }>("/api/admin/usage/requested"),
      ]);
      requested = sent.rows;
    } catch (error) {
      toastError(error);
    }
    render();
  }

  async function save(model: ModelConfig): Promise<boolean> {
    try {
      await api.post("/api/admin/models", model);
      toast(t("models.added", { id: model.id }), "success");
      await load();
      return true;
    } catch (error) {
      toastError(error);
      return false;
    }
  }

  async function addByHand(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    let fields: Omit<ModelConfig, "id">;
    try {
      fields = addFields.read();
    } catch (error) {
      return toastError(error);
    }
    if (await save({ id: idInput.value.trim(), ...fields })) {
      idInput.value = "";
      addFields = modelFields({ category: "flash", dailyQuota: null, individualQuota: null });
      render();
    }
  }

  async function loadFromGoogle(): Promise<void> {
    try {
      available = (await api.get<{ models: AvailableModel[] }>("/api/admin/models/available")).models;
    } catch (error) {
      toastError(error);
    }
    render();
  }

  function edit(model: ModelConfig): void {
    const fields = modelFields(model);
    openDialog({
      title: t("models.editTitle", { id: model.id }),
      body: fields.element,
      confirmLabel: t("common.save"),
      onConfirm: async () => {
        await api.put(url(model.id), fields.read());
        toast(t("common.saved"), "success");
        await load();
      },
    });
  }

  async function remove(model: ModelConfig): Promise<void> {
    if (!(await confirmAction(t("models.deleteTitle"), t("models.deleteConfirm", { id: model.id }), t("common.delete")))) return;
    try {
      await api.delete(url(model.id));
      toast(t("common.deleted"), "success");
      await load();
    } catch (error) {
      toastError(error);
    }
  }

  function quotaText(model: ModelConfig): string {
    if (model.category === "custom") return model.dailyQuota === null ? t("models.unlimited") : formatNumber(model.dailyQuota);
    return model.individualQuota === null ? t("models.noIndividual") : formatNumber(model.individualQuota);
  }

  function availableList(): HTMLElement {
    if (available === null) return h("p", { class: "muted" }, t("models.googleHint"));
    const configured = new Set(models.map((model) => model.id));
    const filter = filterInput.value.trim().toLowerCase();
    const shown = available.filter(
      (model) => !filter || model.id.toLowerCase().includes(filter) || model.displayName.toLowerCase().includes(filter),
    );
    const table = dataTable(
      t("models.googleCaption"),
      [
        { header: t("models.id"), cell: (model) => h("code", {}, model.id) },
        { header: t("models.displayName"), cell: (model) => model.displayName },
        {
          header: t("models.category"),
          cell: (model) => {
            const select = categorySelect(model.suggestedCategory);
            select.setAttribute("aria-label", t("models.categoryFor", { id: model.id }));
            select.dataset.modelId = model.id;
            return select;
          },
        },
        {
          header: t("common.actions"),
          className: "col-actions",
          cell: (model) =>
            configured.has(model.id)
              ? h("span", { class: "muted" }, t("models.alreadyConfigured"))
              : button(t("models.addThis"), (event) => {
                  const row = (event.currentTarget as HTMLElement).closest("tr");
                  const category = (row?.querySelector("select")?.value ?? model.suggestedCategory) as ModelConfig["category"];
                  void save({ id: model.id, category, dailyQuota: null, individualQuota: null });
                }, "btn btn-small btn-primary", { "aria-label": t("models.addNamed", { id: model.id }) }),
        },
      ],
      shown,
      t("models.googleEmpty"),
    );
    return h("div", {}, field(t("models.filter"), filterInput), table);
  }

  filterInput.addEventListener("input", () => render());

  function render(): void {
    const hasFocusInFilter = document.activeElement === filterInput;
    const form = h(
      "form",
      { class: "form-grid", onsubmit: (event: SubmitEvent) => void addByHand(event) },
      field(t("models.id"), idInput),
      addFields.element,
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "btn btn-primary" }, t("models.add"))),
    );
    const table = dataTable(
      t("models.tableCaption"),
      [
        { header: t("models.id"), cell: (model) => h("code", {}, model.id) },
        { header: t("models.category"), cell: (model) => t(`category.${model.category}`) },
        { header: t("models.quota"), cell: quotaText },
        {
          header: t("common.actions"),
          className: "col-actions",
          cell: (model) =>
            h(
              "div",
              { class: "row-actions" },
              button(t("common.edit"), () => edit(model), "btn btn-small"),
              button(t("common.delete"), () => void remove(model), "btn btn-small btn-danger"),
            ),
        },
      ],
      models,
      t("models.empty"),
    );
    clear(panel);
    panel.append(
      section(t("models.listTitle"), table),
      section(t("models.addTitle"), form),
      aliasSection.render(aliases, models, requested),
      section(t("models.googleTitle"), h("div", { class: "toolbar" }, button(t("models.loadFromGoogle"), () => void loadFromGoogle())), availableList()),
    );
    if (hasFocusInFilter) filterInput.focus();
  }

  return { load, render };
}
