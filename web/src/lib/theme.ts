/** Light/dark theme: defaults to the system preference, remembered once chosen. */
export type Theme = "light" | "dark";

const STORAGE_KEY = "panel.theme";
const listeners = new Set<(theme: Theme) => void>();

function stored(): Theme | null {
  const value = localStorage.getItem(STORAGE_KEY);
  return value === "light" || value === "dark" ? value : null;
}

export function currentTheme(): Theme {
  const attribute = document.documentElement.dataset.theme;
  if (attribute === "light" || attribute === "dark") return attribute;
  return stored() ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
  for (const listener of listeners) listener(theme);
}

export function setTheme(theme: Theme): void {
  localStorage.setItem(STORAGE_KEY, theme);
  applyTheme(theme);
}

export function toggleTheme(): Theme {
  const next: Theme = currentTheme() === "dark" ? "light" : "dark";
  setTheme(next);
  return next;
}

export function onThemeChange(listener: (theme: Theme) => void): void {
  listeners.add(listener);
}

/** Applies the remembered or system theme and follows the system while nothing is remembered. */
export function initTheme(): void {
  applyTheme(currentTheme());
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", (event) => {
    if (!stored()) applyTheme(event.matches ? "dark" : "light");
  });
}
