/**
 * How both adapters seal a subject's templates: one data key per subject, wrapped by the master key
 * and bound to its owner; each template sealed with that data key and bound to its own row, so bytes
 * copied to another row, subject or tenant fail to open.
 */
import { generateDataKey, openTemplate, sealTemplate, unwrapDataKey, wrapDataKey } from '../crypto/envelope.js';

export interface TemplateRow {
  tenantId: string;
  subjectId: string;
  templateId: string;
}

export function newWrappedSubjectKey(masterKey: Buffer, tenantId: string, subjectId: string): Buffer {
  const dataKey = generateDataKey();
  try {
    return wrapDataKey(masterKey, dataKey, subjectKeyBinding(tenantId, subjectId));
  } finally {
    dataKey.fill(0);
  }
}

export function sealForSubject(masterKey: Buffer, wrappedKey: Uint8Array, row: TemplateRow, plaintext: Uint8Array): Buffer {
  return withDataKey(masterKey, wrappedKey, row, (dataKey) => sealTemplate(dataKey, plaintext, templateBinding(row)));
}

/** Returns a plain Uint8Array copy: Buffers from decryption may share a pooled ArrayBuffer. */
export function openForSubject(masterKey: Buffer, wrappedKey: Uint8Array, row: TemplateRow, sealed: Uint8Array): Uint8Array {
  return withDataKey(masterKey, wrappedKey, row, (dataKey) => {
    const plaintext = openTemplate(dataKey, sealed, templateBinding(row));
    const copy = new Uint8Array(plaintext);
    plaintext.fill(0);
    return copy;
  });
}

/** The unwrapped data key lives only for the duration of `use`, then is zeroed. */
function withDataKey<T>(masterKey: Buffer, wrappedKey: Uint8Array, row: TemplateRow, use: (dataKey: Buffer) => T): T {
  const dataKey = unwrapDataKey(masterKey, wrappedKey, subjectKeyBinding(row.tenantId, row.subjectId));
  try {
    return use(dataKey);
  } finally {
    dataKey.fill(0);
  }
}

function subjectKeyBinding(tenantId: string, subjectId: string): string {
  return `${tenantId}/${subjectId}`;
}

function templateBinding({ tenantId, subjectId, templateId }: TemplateRow): string {
  return `${tenantId}/${subjectId}/${templateId}`;
}
