/**
 * Chinese/English strings. The language defaults to the browser's, is remembered once
 * chosen, and static markup is translated through data-i18n* attributes.
 */
import { en, type MessageKey } from "./messages-en";
import { zh } from "./messages-zh";

export type Language = "en" | "zh";

const STORAGE_KEY = "panel.lang";
const dictionaries: Record<Language, Record<MessageKey, string>> = { en, zh };
const listeners = new Set<(language: Language) => void>();
let language: Language = "en";

function initialLanguage(): Language {
  const remembered = localStorage.getItem(STORAGE_KEY);
  if (remembered === "en" || remembered === "zh") return remembered;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function currentLanguage(): Language {
  return language;
}

/** The message for a key, with `{name}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = dictionaries[language][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}

/** Translates elements marked with data-i18n (text), data-i18n-label (aria-label), data-i18n-placeholder, data-i18n-title. */
export function translateStatic(root: ParentNode = document): void {
  for (const element of root.querySelectorAll<HTMLElement>("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n as MessageKey);
  }
  for (const element of root.querySelectorAll<HTMLElement>("[data-i18n-label]")) {
    element.setAttribute("aria-label", t(element.dataset.i18nLabel as MessageKey));
  }
  for (const element of root.querySelectorAll<HTMLElement>("[data-i18n-placeholder]")) {
    element.setAttribute("placeholder", t(element.dataset.i18nPlaceholder as MessageKey));
  }
  for (const element of root.querySelectorAll<HTMLElement>("[data-i18n-title]")) {
    element.title = t(element.dataset.i18nTitle as MessageKey);
  }
}

function apply(): void {
  document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
  translateStatic();
  for (const listener of listeners) listener(language);
}

export function setLanguage(next: Language): void {
  localStorage.setItem(STORAGE_KEY, next);
  language = next;
  apply();
}

export function onLanguageChange(listener: (language: Language) => void): void {
  listeners.add(listener);
}

export function initLanguage(): void {
  language = initialLanguage();
  apply();
}
