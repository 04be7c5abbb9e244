/**
 * The pure half of i18n (no bundler features, so node tests run it): placeholder filling with
 * English fallback, and the choice of language.
 */
export type Dictionary = Readonly<Record<string, string>>;
export type Params = Readonly<Record<string, string | number>>;

/** `{name}` placeholders are replaced by params; unknown placeholders stay visible. */
export function translate(dictionary: Dictionary, fallback: Dictionary, key: string, params: Params = {}): string {
  const template = dictionary[key] ?? fallback[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The first of the browser's preferred languages that we have and web-config allows; else English. */
export function chooseLanguage(preferred: readonly string[], available: readonly string[]): string {
  for (const tag of preferred) {
    const lower = tag.toLowerCase();
    const hit = available.find((a) => a.toLowerCase() === lower) ?? available.find((a) => a.toLowerCase() === lower.split('-')[0]);
    if (hit) return hit;
  }
  return available.includes('en') ? 'en' : (available[0] ?? 'en');
}

