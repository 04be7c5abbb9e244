/** Argument checks shared by the adapters, so both reject the same inputs with the same errors. */
import { InvalidArgument } from '../errors/domain-errors.js';

export const MAX_PAGE_LIMIT = 1000;

export function checkPageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new InvalidArgument(`limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`, { limit });
  }
  return limit;
}

export function checkMaxPerSubject(maxPerSubject: number): number {
  if (!Number.isInteger(maxPerSubject) || maxPerSubject < 1) {
    throw new InvalidArgument('maxPerSubject must be a positive integer', { maxPerSubject });
  }
  return maxPerSubject;
}

/** Idempotent responses are replayed later, so they must survive a JSON round trip. */
export function serializeResponse(response: unknown): string {
  const json = JSON.stringify(response);
  if (json === undefined) throw new InvalidArgument('idempotent response must be JSON-serializable');
  return json;
}

/** Fetches limit + 1 rows so `next` appears only when another page really exists. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): { items: T[]; next?: string } {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, next: items[items.length - 1]!.id };
}

/** TTLs and leases are milliseconds; a mistake here would keep records forever or drop them at once. */
export function checkDurationMs(name: string, ms: number): number {
  if (!Number.isInteger(ms) || ms < 1 || ms > 366 * 24 * 60 * 60 * 1000) {
    throw new InvalidArgument(`${name} must be an integer number of milliseconds from 1 to one year`, { [name]: ms });
  }
  return ms;
}

/**
 * Expiry instants are compared as ISO-8601 UTC text in SQLite, so any other spelling of the same
 * instant would sort wrongly; both adapters store the normalized form.
 */
export function checkInstant(name: string, value: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new InvalidArgument(`${name} must be an ISO-8601 instant`, { [name]: value });
  return new Date(ms).toISOString();
}

export function checkImage(image: Uint8Array): Uint8Array {
  if (!(image instanceof Uint8Array) || image.byteLength === 0) throw new InvalidArgument('image must be non-empty bytes');
  return image;
}
