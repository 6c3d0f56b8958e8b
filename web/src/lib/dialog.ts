/**
 * Modal dialogs built on <dialog>: focus is trapped and Escape closes them, for free.
 * The dialog removes itself when closed.
 */
import { h, type Child } from "./dom";
import { t } from "./i18n";

interface DialogOptions {
  title: string;
  body: Child | Child[];
  /** Label of the confirming button; without it the dialog only has "Close". */
  confirmLabel?: string;
  danger?: boolean;
  /** Runs on confirm; throw to keep the dialog open. */
  onConfirm?: (form: HTMLFormElement) => Promise<void> | void;
}

export function openDialog(options: DialogOptions): HTMLDialogElement {
  const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const cancel = h("button", { type: "button", class: "btn" }, options.confirmLabel ? t("common.cancel") : t("common.close"));
  const confirm = options.confirmLabel
    ? h("button", { type: "submit", class: options.danger ? "btn btn-danger" : "btn btn-primary" }, options.confirmLabel)
    : null;
  const form = h(
    "form",
    { method: "dialog", class: "dialog-form" },
    h("h2", { id: titleId, class: "dialog-title" }, options.title),
    h("div", { class: "dialog-body" }, ...(Array.isArray(options.body) ? options.body : [options.body])),
    error,
    h("div", { class: "dialog-actions" }, cancel, confirm),
  );
  const dialog = h("dialog", { class: "dialog", "aria-labelledby": titleId }, form);

  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!confirm || !options.onConfirm) return dialog.close();
    confirm.disabled = true;
    try {
      await options.onConfirm(form);
      dialog.close();
    } catch (caught) {
      error.textContent = caught instanceof Error ? caught.message : String(caught);
      error.hidden = false;
    } finally {
      confirm.disabled = false;
    }
  });

  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** Asks for confirmation of a destructive action; resolves true when confirmed. */
export function confirmAction(title: string, message: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    let confirmed = false;
    const dialog = openDialog({
      title,
      body: h("p", {}, message),
      confirmLabel,
      danger: true,
      onConfirm: () => {
        confirmed = true;
      },
    });
    dialog.addEventListener("close", () => resolve(confirmed));
  });
}
