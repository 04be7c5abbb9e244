/**
 * Binary template format, version 1. All integers and floats are little-endian.
 *
 *   offset  size  field
 *   0       4     magic, ASCII "FKT1"
 *   4       2     format version, u16 = 1
 *   6       1     dtype, u8: 0 = float32, 1 = int8
 *   7       1     reserved, u8, must be 0
 *   8       4     dimension, u32, > 0
 *   12      4     scale, f32: 1 for float32; the dequantization factor for int8
 *   16      1     engine id length N, u8, > 0
 *   17      N     engine id, UTF-8
 *   17+N    1     engine version length M, u8, > 0
 *   18+N    M     engine version, UTF-8
 *   18+N+M  P     payload: dimension × f32 (float32) or dimension × i8 (int8)
 *   end-4   4     CRC-32 (IEEE, as zlib) of every byte before it, u32
 *
 * Templates are stored and moved between services, so the decoder trusts nothing: every field is
 * checked and any failure is an InvalidTemplate that names the problem but never echoes vector data.
 */
import { crc32 } from './crc32.js';
import { InvalidTemplate } from '../errors/domain-errors.js';
import { l2Norm } from '../math/vector-math.js';
import { assertAllFinite, assertIdentity, int8Template, type FaceTemplate, type TemplateIdentity } from './template.js';

export const TEMPLATE_FORMAT_VERSION = 1;

const MAGIC = new Uint8Array([0x46, 0x4b, 0x54, 0x31]); // "FKT1"
const DTYPE_CODES = { float32: 0, int8: 1 } as const;
const BYTES_PER_ELEMENT = { float32: 4, int8: 1 } as const;
const FIXED_HEADER_BYTES = 16;
const CRC_BYTES = 4;
const MAX_STRING_BYTES = 255;
/** Fixed header, both string-length bytes and the CRC: nothing shorter can even be parsed. */
const MIN_TEMPLATE_BYTES = FIXED_HEADER_BYTES + 2 + CRC_BYTES;
/**
 * A stored float32 template must already be unit length, because similarity is computed as a bare
 * dot product. The tolerance only absorbs rounding from other writers, not unnormalized vectors.
 */
const UNIT_NORM_TOLERANCE = 1e-3;

const utf8Encoder = new TextEncoder();
// `fatal` so malformed engine names are rejected instead of decoded into U+FFFD look-alikes;
// `ignoreBOM` so a name is returned byte-for-byte as it was written.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function encodeTemplate(template: FaceTemplate): Uint8Array {
  assertIdentity(template);
  const engineId = encodeName(template.engineId, 'engine id');
  const engineVersion = encodeName(template.engineVersion, 'engine version');
  assertEncodable(template);

  const payloadOffset = FIXED_HEADER_BYTES + 1 + engineId.length + 1 + engineVersion.length;
  const payloadBytes = template.dimension * BYTES_PER_ELEMENT[template.dtype];
  const bytes = new Uint8Array(payloadOffset + payloadBytes + CRC_BYTES);
  const view = new DataView(bytes.buffer);

  bytes.set(MAGIC, 0);
  view.setUint16(4, TEMPLATE_FORMAT_VERSION, true);
  view.setUint8(6, DTYPE_CODES[template.dtype]);
  view.setUint8(7, 0);
  view.setUint32(8, template.dimension, true);
  view.setFloat32(12, template.dtype === 'int8' ? template.scale : 1, true);
  let offset = FIXED_HEADER_BYTES;
  view.setUint8(offset++, engineId.length);
  bytes.set(engineId, offset);
  offset += engineId.length;
  view.setUint8(offset++, engineVersion.length);
  bytes.set(engineVersion, offset);
  offset += engineVersion.length;

  if (template.dtype === 'int8') {
    // Copy through a byte view so the caller's Int8Array is written exactly, sign bits included.
    bytes.set(new Uint8Array(template.quantized.buffer, template.quantized.byteOffset, template.dimension), offset);
  } else {
    for (let i = 0; i < template.dimension; i++) view.setFloat32(offset + i * 4, template.vector[i]!, true);
  }
  offset += payloadBytes;

  view.setUint32(offset, crc32(bytes.subarray(0, offset)), true);
  return bytes;
}

export function decodeTemplate(bytes: Uint8Array): FaceTemplate {
  if (bytes.length < MIN_TEMPLATE_BYTES) {
    throw invalid(`template is ${bytes.length} bytes, shorter than the ${MIN_TEMPLATE_BYTES}-byte minimum`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw invalid('template does not start with the "FKT1" magic');
  }
  const formatVersion = view.getUint16(4, true);
  if (formatVersion !== TEMPLATE_FORMAT_VERSION) {
    throw invalid(`unknown template format version ${formatVersion} (this build reads ${TEMPLATE_FORMAT_VERSION})`, {
      formatVersion,
    });
  }

  // Structure first: the total length has to be known before the CRC can be located, and checking it
  // explicitly gives "truncated" or "trailing bytes" instead of a less helpful CRC mismatch.
  const dtypeCode = view.getUint8(6);
  const dtype = dtypeCode === DTYPE_CODES.float32 ? 'float32' : dtypeCode === DTYPE_CODES.int8 ? 'int8' : undefined;
  if (dtype === undefined) throw invalid(`unknown template dtype code ${dtypeCode}`, { dtypeCode });
  const dimension = view.getUint32(8, true);
  if (dimension === 0) throw invalid('template dimension is 0');

  const idLength = view.getUint8(FIXED_HEADER_BYTES);
  if (idLength === 0) throw invalid('template engine id is empty');
  const idOffset = FIXED_HEADER_BYTES + 1;
  const versionLengthOffset = idOffset + idLength;
  if (versionLengthOffset >= bytes.length - CRC_BYTES) throw invalid('template is truncated inside the engine id');
  const versionLength = view.getUint8(versionLengthOffset);
  if (versionLength === 0) throw invalid('template engine version is empty');
  const versionOffset = versionLengthOffset + 1;
  const payloadOffset = versionOffset + versionLength;
  const payloadBytes = dimension * BYTES_PER_ELEMENT[dtype];
  const expectedLength = payloadOffset + payloadBytes + CRC_BYTES;
  if (bytes.length !== expectedLength) {
    const problem = bytes.length > expectedLength ? 'trailing bytes' : 'truncated payload';
    throw invalid(
      `template length ${bytes.length} does not match its header (dimension ${dimension}, ${dtype}) which implies ${expectedLength} bytes: ${problem}`,
      { actualLength: bytes.length, expectedLength, dimension, dtype },
    );
  }

  const crcOffset = expectedLength - CRC_BYTES;
  const storedCrc = view.getUint32(crcOffset, true);
  if (crc32(bytes.subarray(0, crcOffset)) !== storedCrc) {
    throw invalid('template CRC mismatch: the bytes are corrupted');
  }

  // From here on the bytes are what the writer intended, so failures mean a bad writer, not corruption.
  const reserved = view.getUint8(7);
  if (reserved !== 0) throw invalid(`template reserved byte is ${reserved}, expected 0`, { reserved });
  const identity: TemplateIdentity = {
    engineId: decodeName(bytes.subarray(idOffset, idOffset + idLength), 'engine id'),
    engineVersion: decodeName(bytes.subarray(versionOffset, versionOffset + versionLength), 'engine version'),
  };
  const scale = view.getFloat32(12, true);

  if (dtype === 'int8') {
    const quantized = new Int8Array(dimension);
    for (let i = 0; i < dimension; i++) quantized[i] = view.getInt8(payloadOffset + i);
    if (quantized.includes(-128)) {
      throw invalid('int8 template contains -128, which symmetric quantization never produces', {
        engineId: identity.engineId,
      });
    }
    return int8Template(identity, quantized, scale);
  }

  if (scale !== 1) throw invalid(`float32 template scale is ${scale}, expected 1`, { scale });
  const vector = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) vector[i] = view.getFloat32(payloadOffset + i * 4, true);
  assertAllFinite(vector, identity.engineId);
  assertUnitLength(vector, identity.engineId);
  return { ...identity, dtype: 'float32', dimension, vector };
}

/** Refuses to write anything the decoder would reject, so a stored template is always readable. */
function assertEncodable(template: FaceTemplate): void {
  const { dimension } = template;
  if (!Number.isInteger(dimension) || dimension <= 0 || dimension > 0xffffffff) {
    throw invalid(`template dimension ${dimension} is not a positive 32-bit integer`, { dimension });
  }
  if (template.vector.length !== dimension) {
    throw invalid(`template vector has length ${template.vector.length} but dimension ${dimension}`);
  }
  if (template.dtype === 'int8') {
    if (template.quantized.length !== dimension) {
      throw invalid(`int8 template payload has length ${template.quantized.length} but dimension ${dimension}`);
    }
    if (template.quantized.includes(-128)) throw invalid('int8 template contains -128, outside symmetric range');
    if (!Number.isFinite(template.scale) || template.scale <= 0 || Math.fround(template.scale) !== template.scale) {
      throw invalid(`int8 template scale ${template.scale} is not a positive finite float32`, { scale: template.scale });
    }
    return;
  }
  assertAllFinite(template.vector, template.engineId);
  assertUnitLength(template.vector, template.engineId);
}

function assertUnitLength(vector: Float32Array, engineId: string): void {
  const norm = l2Norm(vector);
  if (Math.abs(norm - 1) > UNIT_NORM_TOLERANCE) {
    throw invalid(`float32 template for engine "${engineId}" is not unit length (norm ${norm.toFixed(6)})`, {
      engineId,
    });
  }
}

function encodeName(name: string, field: string): Uint8Array {
  const encoded = utf8Encoder.encode(name);
  if (encoded.length > MAX_STRING_BYTES) {
    throw invalid(`template ${field} is ${encoded.length} UTF-8 bytes; the format allows at most ${MAX_STRING_BYTES}`);
  }
  return encoded;
}

function decodeName(encoded: Uint8Array, field: string): string {
  try {
    return utf8Decoder.decode(encoded);
  } catch {
    throw invalid(`template ${field} is not valid UTF-8`);
  }
}

function invalid(message: string, details: Record<string, unknown> = {}): InvalidTemplate {
  return new InvalidTemplate(message, details);
}
