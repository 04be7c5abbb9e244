import fs from 'node:fs';

/**
 * The languages the web apps have texts for: one per `<language>.json` in their i18n folder, English
 * first (the texts every other language is checked against). Adding `ja.json` adds Japanese, no code.
 */
export function offeredLanguages(translationsDir: string): string[] {
  const found = fs.existsSync(translationsDir)
    ? fs
        .readdirSync(translationsDir)
        .filter((name) => /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\.json$/.test(name))
        .map((name) => name.slice(0, -'.json'.length))
    : [];
  return ['en', ...found.filter((language) => language !== 'en').sort()];
}
