/** The admin page: tab switching (with keyboard support), language, theme and logout. */
import { api } from "./lib/api";
import { byId } from "./lib/dom";
import { currentLanguage, initLanguage, onLanguageChange, setLanguage, t } from "./lib/i18n";
import { currentTheme, initTheme, onThemeChange, toggleTheme } from "./lib/theme";
import { toastError } from "./lib/toast";
import { createClientKeysTab } from "./tabs/client-keys";
import { createDashboardTab } from "./tabs/dashboard";
import { createGeminiKeysTab } from "./tabs/gemini-keys";
import { createModelsTab } from "./tabs/models";
import { createSettingsTab } from "./tabs/settings";
import type { Tab } from "./tabs/tab";

const TAB_IDS = ["dashboard", "gemini-keys", "client-keys", "models", "settings"] as const;
type TabId = (typeof TAB_IDS)[number];

const factories: Record<TabId, (panel: HTMLElement) => Tab> = {
  dashboard: createDashboardTab,
  "gemini-keys": createGeminiKeysTab,
  "client-keys": createClientKeysTab,
  models: createModelsTab,
  settings: createSettingsTab,
};

const tabs = new Map<TabId, Tab>();
let active: TabId = "dashboard";

function tabButton(id: TabId): HTMLButtonElement {
  return byId<HTMLButtonElement>(`tab-${id}`);
}

function tabFor(id: TabId): Tab {
  let tab = tabs.get(id);
  if (!tab) {
    tab = factories[id](byId(`panel-${id}`));
    tabs.set(id, tab);
  }
  return tab;
}

function select(id: TabId, focus = false): void {
  active = id;
  for (const other of TAB_IDS) {
    const selected = other === id;
    const button = tabButton(other);
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    byId(`panel-${other}`).hidden = !selected;
  }
  if (focus) tabButton(id).focus();
  history.replaceState(null, "", `#${id}`);
  void tabFor(id).load();
}

function wireTabs(): void {
  const list = byId("tablist");
  list.addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>("[role=tab]");
    const id = button?.dataset.tab as TabId | undefined;
    if (id && TAB_IDS.includes(id)) select(id);
  });
  list.addEventListener("keydown", (event) => {
    const index = TAB_IDS.indexOf(active);
    const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TAB_IDS.length - 1 };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    select(TAB_IDS[(target + TAB_IDS.length) % TAB_IDS.length]!, true);
  });
}

function renderToggles(): void {
  const language = byId<HTMLButtonElement>("language-toggle");
  // The button names the language it switches to, in that language.
  language.textContent = currentLanguage() === "zh" ? "English" : "中文";
  language.lang = currentLanguage() === "zh" ? "en" : "zh-CN";
  const theme = byId<HTMLButtonElement>("theme-toggle");
  theme.setAttribute("aria-pressed", String(currentTheme() === "dark"));
  theme.textContent = t("theme.dark");
}

async function logout(): Promise<void> {
  try {
    await api.post("/api/auth/logout", {});
  } catch (error) {
    toastError(error);
    return;
  }
  location.assign("/login");
}

function start(): void {
  initTheme();
  initLanguage();
  renderToggles();
  wireTabs();
  byId("language-toggle").addEventListener("click", () => setLanguage(currentLanguage() === "zh" ? "en" : "zh"));
  byId("theme-toggle").addEventListener("click", () => toggleTheme());
  byId("logout").addEventListener("click", () => void logout());
  onLanguageChange(() => {
    renderToggles();
    tabs.get(active)?.render();
  });
  onThemeChange(() => {
    renderToggles();
    if (active === "dashboard") tabs.get("dashboard")?.render();
  });
  const fromHash = location.hash.slice(1) as TabId;
  select(TAB_IDS.includes(fromHash) ? fromHash : "dashboard");
}

start();
