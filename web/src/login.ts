/** The login page: posts the password and explains 401, 429 (with the wait) and 503 answers. */
import { ApiError, request } from "./lib/api";
import { byId } from "./lib/dom";
import { currentLanguage, initLanguage, setLanguage, t } from "./lib/i18n";
import { currentTheme, initTheme, toggleTheme } from "./lib/theme";

const form = byId<HTMLFormElement>("login-form");
const password = byId<HTMLInputElement>("password");
const message = byId<HTMLElement>("login-error");
const submit = byId<HTMLButtonElement>("login-submit");

function showError(text: string): void {
  message.textContent = text;
  message.hidden = false;
  password.setAttribute("aria-invalid", "true");
  password.focus();
}

function explain(error: unknown): string {
  if (!(error instanceof ApiError)) return t("login.network");
  if (error.status === 401) return t("login.wrong");
  if (error.status === 429) {
    return error.retryAfterSeconds ? t("login.throttled", { seconds: error.retryAfterSeconds }) : t("login.throttledNoWait");
  }
  if (error.status === 503) return t("login.unavailable", { message: error.message });
  return error.message;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  message.hidden = true;
  password.removeAttribute("aria-invalid");
  submit.disabled = true;
  try {
    await request("/api/auth/login", { method: "POST", body: { password: password.value }, allowUnauthorized: true });
    location.assign("/admin");
  } catch (error) {
    showError(explain(error));
  } finally {
    submit.disabled = false;
  }
});

function renderToggles(): void {
  const language = byId<HTMLButtonElement>("language-toggle");
  language.textContent = currentLanguage() === "zh" ? "English" : "中文";
  language.lang = currentLanguage() === "zh" ? "en" : "zh-CN";
  byId("theme-toggle").setAttribute("aria-pressed", String(currentTheme() === "dark"));
}

initTheme();
initLanguage();
renderToggles();
byId("language-toggle").addEventListener("click", () => {
  setLanguage(currentLanguage() === "zh" ? "en" : "zh");
  renderToggles();
});
byId("theme-toggle").addEventListener("click", () => {
  toggleTheme();
  renderToggles();
});
password.focus();
