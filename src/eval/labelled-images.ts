import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgument } from '../errors/domain-errors.js';

export interface LabelledImage {
  readonly file: string;
  /** The person: the name of the folder holding the image. */
  readonly identity: string;
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** Every image under `root/<identity>/…`, sorted for reproducible runs. */
export function listLabelledImages(root: string): LabelledImage[] {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new InvalidArgument(`images folder not found: ${root}`);
  }
  const images: LabelledImage[] = [];
  for (const identity of fs.readdirSync(root).sort()) {
    const dir = path.join(root, identity);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      if (IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase())) images.push({ file: path.join(dir, name), identity });
    }
  }
  if (images.length === 0) throw new InvalidArgument(`no images found under ${root}/<person>/`);
  return images;
}
