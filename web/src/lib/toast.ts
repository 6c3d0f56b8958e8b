/** Short notices in a live region; errors stay until dismissed so they can be read. */
import { h } from "./dom";
import { t } from "./i18n";

type ToastKind = "info" | "success" | "error";

const AUTO_HIDE_MS = 5000;
/** Older notices give way so the stack never covers the page. */
const MAX_SHOWN = 4;

function region(): HTMLElement {
  let container = document.getElementById("toasts");
  if (!container) {
    container = h("div", { id: "toasts", class: "toasts" });
    document.body.append(container);
  }
  return container;
}

export function toast(message: string, kind: ToastKind = "info"): void {
  const close = h("button", { type: "button", class: "toast-close", "aria-label": t("common.dismiss") }, "×");
  const item = h(
    "div",
    { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" },
    h("span", { class: "toast-text" }, message),
    close,
  );
  close.addEventListener("click", () => item.remove());
  const container = region();
  container.append(item);
  while (container.children.length > MAX_SHOWN) container.firstElementChild?.remove();
  if (kind !== "error") window.setTimeout(() => item.remove(), AUTO_HIDE_MS);
}

/** Shows the server's message of a failed call as an error toast. */
export function toastError(error: unknown): void {
  if (error instanceof DOMException && error.name === "AbortError") return;
  toast(error instanceof Error ? error.message : String(error), "error");
}
