import fs from 'node:fs/promises';
import { ImageTooLarge, InvalidImage } from '../errors/domain-errors.js';
import { DEFAULT_DECODE_LIMITS, decodeImage, type DecodedImage, type DecodeLimits } from './decode-image.js';

/**
 * Reads and decodes an image file. The file is opened once and checked with `fstat` before any
 * byte is read: directories, devices/FIFOs and files over `maxBytes` are refused without reading
 * them, and the read itself is capped at `maxBytes + 1` in case the file grows meanwhile.
 * The format comes from the content (see `decodeImage`), never from the extension.
 */
export async function readImageFile(path: string, limits: Partial<DecodeLimits> = {}): Promise<DecodedImage> {
  const bytes = await readImageBytes(path, limits.maxBytes ?? DEFAULT_DECODE_LIMITS.maxBytes);
  return decodeImage(bytes, limits);
}

/** The file's bytes, refusing anything that is not a regular file of at most `maxBytes`. */
export async function readImageBytes(path: string, maxBytes: number = DEFAULT_DECODE_LIMITS.maxBytes): Promise<Uint8Array> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    throw fileError(error, path);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new InvalidImage(`not an image file: ${path} is a directory`, { path });
    if (!stat.isFile()) throw new InvalidImage(`not an image file: ${path} is not a regular file`, { path });
    if (stat.size === 0) throw new InvalidImage(`empty image: ${path} is 0 bytes`, { path });
    if (stat.size > maxBytes) {
      throw new ImageTooLarge(`image file ${path} is ${stat.size} bytes; the limit is ${maxBytes} bytes`, {
        path,
        bytes: stat.size,
        maxBytes,
      });
    }
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buffer.length) break;
    }
    if (filled > maxBytes) {
      throw new ImageTooLarge(`image file ${path} grew beyond the limit of ${maxBytes} bytes while being read`, { path, maxBytes });
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, filled);
  } catch (error) {
    if (error instanceof InvalidImage || error instanceof ImageTooLarge) throw error;
    throw fileError(error, path);
  } finally {
    await handle.close();
  }
}

function fileError(error: unknown, path: string): InvalidImage {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new InvalidImage(`image file not found: ${path}`, { path });
    case 'EISDIR':
      return new InvalidImage(`not an image file: ${path} is a directory`, { path });
    case 'EACCES':
    case 'EPERM':
      return new InvalidImage(`image file is not readable (permission denied): ${path}`, { path });
    case 'ENOTDIR':
      return new InvalidImage(`image file not found: a parent of ${path} is not a directory`, { path });
    default:
      return new InvalidImage(`cannot read image file ${path}${code ? ` (${code})` : ''}`, { path, ...(code ? { errno: code } : {}) });
  }
}
