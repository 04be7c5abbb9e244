import { AuditDataRefused } from './audit-errors.js';
import { luhnValid } from '../cards/luhn.js';

/**
 * The audit log is kept for years and handed to auditors, so it must never hold a face template,
 * an image or a card number, not even by accident. The checks err on the side of refusing: a
 * refusal is a bug found in a test, a leak is an incident.
 */

// "pan" is matched as a whole word of the key (cardPan, pan_hash, PAN), not as a substring,
// which would refuse company, span or expand.
const FORBIDDEN_KEY = /template|image|frame|vector|embedding|descriptor|card.?number/i;
const FORBIDDEN_KEY_WORD = 'pan';
// Evidence legitimately names these things without carrying them: templateId, templateIds, a
// frames count, templatesErased. A reference's value still goes through the value checks.
const REFERENCE_WORDS = new Set(['id', 'ids', 'ref', 'refs']);
// Standard and URL-safe base64 alphabets; MIME line breaks do not interrupt a blob.
const BASE64_RUN = /[A-Za-z0-9+/_-]{257,}/;
const DIGIT_RUN = /\d+(?:[ -]\d+)*/g;
const MAX_DEPTH = 32;

/** Throws AuditDataRefused unless `value` is plain JSON free of biometric- or card-looking content. */
export function assertAuditable(value: unknown, path = 'data'): void {
  walk(value, path, 0);
}

function walk(value: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) refuse(path, `nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || value === undefined || typeof value === 'boolean') return;
  if (typeof value === 'string') return checkText(value, path);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) refuse(path, 'number is not finite');
    // A card number is just as bad as a number as it is as a string.
    if (Number.isInteger(value) && containsCardNumber(String(value))) refuse(path, 'value looks like a card number');
    return;
  }
  if (typeof value !== 'object') refuse(path, `${typeof value} is not JSON`);
  if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, `${path}[${index}]`, depth + 1));
    return;
  }
  // Buffers and typed arrays are how templates and images travel through this codebase.
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) refuse(path, 'value is not a plain JSON object (binary or class instance)');
  for (const [key, member] of Object.entries(value)) {
    const memberPath = `${path}.${key}`;
    if (namesForbiddenData(key) && !cannotCarryData(key, member)) refuse(memberPath, 'key names biometric or card data');
    checkText(key, memberPath);
    walk(member, memberPath, depth + 1);
  }
}

function namesForbiddenData(key: string): boolean {
  return FORBIDDEN_KEY.test(key) || keyWords(key).includes(FORBIDDEN_KEY_WORD);
}

/** A count, score or flag cannot hold a template or an image; a card number as a number fails the Luhn check. */
function cannotCarryData(key: string, value: unknown): boolean {
  if (value === null || value === undefined || typeof value === 'boolean' || typeof value === 'number') return true;
  return REFERENCE_WORDS.has(keyWords(key).at(-1) ?? '');
}

/** The platform's own ids: their dash-separated hex groups are sometimes all digits, yet never a card. */
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

function checkText(text: string, path: string): void {
  if (BASE64_RUN.test(text.replace(/[\r\n]+/g, ''))) refuse(path, 'value looks like an encoded blob (base64 longer than 256 characters)');
  if (containsCardNumber(text.replace(UUID, 'uuid'))) refuse(path, 'value looks like a card number');
}

/** camelCase, PascalCase, snake_case and kebab-case words, lower-cased. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+|(?<=\d)(?=[A-Za-z])|(?<=[A-Za-z])(?=\d)/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/**
 * Any 13–19 digits that pass the Luhn check, written plain or grouped by single spaces or dashes.
 * Within a longer grouped run (a card number followed by an expiry, say) every stretch of whole
 * groups is tried; a longer ungrouped run is an id, not a card number.
 */
export function containsCardNumber(text: string): boolean {
  for (const match of text.matchAll(DIGIT_RUN)) {
    const groups = match[0].split(/[ -]/);
    for (let start = 0; start < groups.length; start++) {
      let digits = '';
      for (let end = start; end < groups.length; end++) {
        digits += groups[end];
        if (digits.length > 19) break;
        if (digits.length >= 13 && luhnValid(digits)) return true;
      }
    }
  }
  return false;
}

function refuse(path: string, reason: string): never {
  throw new AuditDataRefused(`audit data refused at ${path}: ${reason}`, { path, reason });
}
