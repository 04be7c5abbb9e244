/** Codes are read aloud and typed from paper: accept any case, spaces or missing dashes. */
export function normalizeCode(typed: string): string {
  const letters = typed.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return letters.match(/.{1,4}/g)?.join('-') ?? '';
}
