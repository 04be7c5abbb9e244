/**
 * One lookup for every visible text: `t(key, params)` over the dictionary of the chosen language,
 * falling back to English, then to the key itself (so a missing text shows up in tests instead of
 * an empty label). Adding a language is adding `web/i18n/<lang>.json` and listing it in web-config:
 * the dictionaries are bundled by a glob, so no code changes.
 */
import en from '../i18n/en.json';
import { chooseLanguage, translate, type Dictionary, type Params } from './i18n-core';

export type { Dictionary, Params };

const bundled = import.meta.glob<Dictionary>('../i18n/*.json', { eager: true, import: 'default' });

export function dictionaries(): Record<string, Dictionary> {
  const out: Record<string, Dictionary> = { en };
  for (const [file, dictionary] of Object.entries(bundled)) {
    const lang = /([a-z]{2,3}(?:-[A-Za-z0-9]+)?)\.json$/.exec(file)?.[1];
    if (lang) out[lang] = dictionary;
  }
  return out;
}

let current: { lang: string; dictionary: Dictionary } = { lang: 'en', dictionary: en };

/** Chooses the language once web-config says which are offered, and sets `<html lang>`. */
export function setLanguage(offered: readonly string[], preferred: readonly string[] = globalThis.navigator?.languages ?? []): string {
  const all = dictionaries();
  const lang = chooseLanguage(preferred, offered.filter((l) => l in all));
  current = { lang, dictionary: all[lang] ?? en };
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  return lang;
}

export function t(key: string, params?: Params): string {
  return translate(current.dictionary, en, key, params);
}

export function currentLanguage(): string {
  return current.lang;
}
