import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { projectRoot } from '../../runtime/project-root.js';
import { parseModelCard, type ModelCard } from './model-card.js';

/** Folders of operators' own model cards (`*.json`), separated like PATH. */
export const MODEL_CARDS_ENV = 'FACEKEY_MODEL_CARDS';

/** A validated card and the absolute path of its ONNX file. */
export interface LoadedModelCard {
  readonly card: ModelCard;
  readonly cardFile: string;
  readonly modelFile: string;
  readonly bundled: boolean;
}

/** The cards facekey ships (their ONNX files are fetched by `npm install`, see scripts/fetch-models.ts). */
export function bundledModelCardsDir(): string {
  return path.join(projectRoot(), 'models');
}

export function readModelCardsDir(dir: string, bundled: boolean): LoadedModelCard[] {
  let names: string[];
  try {
    names = fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch (error) {
    throw new InvalidArgument(`model card folder ${dir} cannot be read: ${(error as Error).message}`, { modelCards: dir });
  }
  return names.map((name) => {
    const cardFile = path.join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(cardFile, 'utf8'));
    } catch (error) {
      throw new InvalidArgument(`model card ${cardFile}: not valid JSON (${(error as Error).message})`, { modelCard: cardFile });
    }
    const card = parseModelCard(json, cardFile);
    return { card, cardFile, modelFile: path.resolve(dir, card.file), bundled };
  });
}

/** Bundled cards first, then every folder named in FACEKEY_MODEL_CARDS; an id may appear only once. */
export function loadModelCards(env: NodeJS.ProcessEnv = process.env): LoadedModelCard[] {
  const dirs = (env[MODEL_CARDS_ENV] ?? '').split(path.delimiter).filter((d) => d.length > 0);
  const cards = [...readModelCardsDir(bundledModelCardsDir(), true), ...dirs.flatMap((d) => readModelCardsDir(path.resolve(d), false))];
  const seen = new Map<string, string>();
  for (const c of cards) {
    const earlier = seen.get(c.card.id);
    if (earlier)
      throw new InvalidArgument(`model card ${c.cardFile}: id "${c.card.id}" is already used by ${earlier}`, { modelCard: c.cardFile });
    seen.set(c.card.id, c.cardFile);
  }
  return cards;
}

export function sha256OfFile(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Reads the model file and refuses it unless its SHA-256 is the card's. */
export function readVerifiedModel(loaded: LoadedModelCard): Uint8Array {
  if (!fs.existsSync(loaded.modelFile)) {
    const hint = loaded.card.source
      ? `run \`npm install\` (it fetches ${loaded.card.source.path} from ${loaded.card.source.npm})`
      : 'place the ONNX file the card names beside the card';
    throw new InvalidArgument(`model file ${loaded.modelFile} of engine "${loaded.card.id}" is missing: ${hint}`, {
      engine: loaded.card.id,
    });
  }
  const bytes = fs.readFileSync(loaded.modelFile);
  const actual = crypto.createHash('sha256').update(bytes).digest('hex');
  if (actual !== loaded.card.sha256) {
    throw new InvalidArgument(
      `model file ${loaded.modelFile} of engine "${loaded.card.id}" has SHA-256 ${actual}, its card (${loaded.cardFile}) says ${loaded.card.sha256}`,
      { engine: loaded.card.id },
    );
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
