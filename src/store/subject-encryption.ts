/**
 * How both adapters seal a subject's templates and retained images: one data key per subject,
 * wrapped by the master key and bound to its owner; each template or image sealed with that data key
 * and bound to its own row, so bytes copied to another row, subject or tenant fail to open, and
 * shredding the one key makes all of them unreadable.
 */
import { generateDataKey, openImage, openTemplate, sealImage, sealTemplate, unwrapDataKey, wrapDataKey } from '../crypto/envelope.js';

interface SubjectRow {
  tenantId: string;
  subjectId: string;
}

export interface TemplateRow extends SubjectRow {
  templateId: string;
}

export interface ImageRow extends TemplateRow {
  imageId: string;
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

/** Returns a plain Uint8Array copy (see copyAndWipe). */
export function openForSubject(masterKey: Buffer, wrappedKey: Uint8Array, row: TemplateRow, sealed: Uint8Array): Uint8Array {
  return withDataKey(masterKey, wrappedKey, row, (dataKey) => copyAndWipe(openTemplate(dataKey, sealed, templateBinding(row))));
}

export function sealImageForSubject(masterKey: Buffer, wrappedKey: Uint8Array, row: ImageRow, image: Uint8Array): Buffer {
  return withDataKey(masterKey, wrappedKey, row, (dataKey) => sealImage(dataKey, image, imageBinding(row)));
}

/** Nothing in the service reads images back; this exists so tests and operator tooling can prove what was sealed. */
export function openImageForSubject(masterKey: Buffer, wrappedKey: Uint8Array, row: ImageRow, sealed: Uint8Array): Uint8Array {
  return withDataKey(masterKey, wrappedKey, row, (dataKey) => copyAndWipe(openImage(dataKey, sealed, imageBinding(row))));
}

/** Buffers from decryption may share a pooled ArrayBuffer: hand out a plain copy and zero the Buffer. */
function copyAndWipe(plaintext: Buffer): Uint8Array {
  const copy = new Uint8Array(plaintext);
  plaintext.fill(0);
  return copy;
}

/** The unwrapped data key lives only for the duration of `use`, then is zeroed. */
function withDataKey<T>(masterKey: Buffer, wrappedKey: Uint8Array, row: SubjectRow, use: (dataKey: Buffer) => T): T {
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

// The template id is in the binding too: an image sealed for one template cannot be passed off as
// the capture behind another.
function imageBinding({ tenantId, subjectId, templateId, imageId }: ImageRow): string {
  return `${tenantId}/${subjectId}/${templateId}/${imageId}`;
}
