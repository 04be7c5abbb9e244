import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The house plan: imports run one way, from a folder to folders on its own floor or below.
 * Lowest floor first; folders on one floor may import each other.
 */
const LAYERS: ReadonlyArray<{ readonly floor: string; readonly folders: readonly string[] }> = [
  { floor: 'foundation', folders: ['errors', 'runtime', 'crypto', 'cards', 'config', 'math'] },
  { floor: 'imaging', folders: ['imaging'] },
  { floor: 'analysis', folders: ['analysis', 'alignment', 'quality', 'pad'] },
  { floor: 'engines', folders: ['engines'] },
  { floor: 'templates', folders: ['templates'] },
  { floor: 'pipeline', folders: ['pipeline', 'pool'] },
  { floor: 'matcher/store', folders: ['matcher', 'store', 'audit', 'auth', 'eval', 'signing'] },
  { floor: 'domain', folders: ['biometrics', 'personalization', 'devices', 'fleet'] },
  { floor: 'consent', folders: ['consent'] },
  { floor: 'payments', folders: ['payments', 'kiosk'] },
  { floor: 'checkout', folders: ['checkout'] },
  { floor: 'api/transports', folders: ['api', 'network-sim', 'terminal', 'transports'] },
  { floor: 'server/cli', folders: ['server', 'cli'] },
];

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const floorOf = new Map(LAYERS.flatMap(({ folders }, index) => folders.map((folder) => [folder, index] as const)));
/** Test kits live in test/kit/ and contract suites in test/kit/contracts/: anything outside src/ is test code. */
const isTestKit = (relative: string) => relative.startsWith('..');

interface ImportLine {
  readonly file: string;
  readonly specifier: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Static imports, re-exports and dynamic imports with a literal specifier. */
function importsOf(file: string): ImportLine[] {
  const text = fs.readFileSync(file, 'utf8');
  const pattern =
    /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  return [...text.matchAll(pattern)].map((m) => ({ file: path.relative(SRC, file), specifier: (m[1] ?? m[2] ?? m[3])! }));
}

const files = sourceFiles(SRC).map((file) => path.relative(SRC, file));
const imports = files.flatMap((file) => importsOf(path.join(SRC, file)));

function folderOf(relative: string): string {
  return relative.split(path.sep)[0]!;
}

describe('architecture: layers', () => {
  it('places every folder of src/ on a floor', () => {
    const folders = fs
      .readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    const unplaced = folders.filter((folder) => !floorOf.has(folder));
    assert.deepEqual(unplaced, [], 'add new folders to LAYERS');
  });

  it('runs no import from a lower floor to a higher one', () => {
    const upward: string[] = [];
    for (const { file, specifier } of imports) {
      if (!specifier.startsWith('.')) continue;
      const target = path.relative(SRC, path.resolve(SRC, path.dirname(file), specifier));
      if (isTestKit(target)) continue; // counted by the next test instead
      const from = floorOf.get(folderOf(file));
      const to = floorOf.get(folderOf(target));
      if (from === undefined || to === undefined) continue; // the test above reports unplaced folders
      if (to > from) upward.push(`${file} (${LAYERS[from]!.floor}) → ${target} (${LAYERS[to]!.floor})`);
    }
    console.log(`upward imports: ${upward.length}${upward.length ? `\n  ${upward.join('\n  ')}` : ''}`);
    assert.deepEqual(upward, []);
  });

  it('keeps test code out of src/: no node:test, no test kits', () => {
    const offending = imports
      .filter(({ file, specifier }) => {
        if (specifier === 'node:test' || specifier === 'test') return true;
        if (!specifier.startsWith('.')) return false;
        return isTestKit(path.relative(SRC, path.resolve(SRC, path.dirname(file), specifier)));
      })
      .map(({ file, specifier }) => `${file} → ${specifier}`);
    console.log(`test-code imports in src/: ${offending.length}${offending.length ? `\n  ${offending.join('\n  ')}` : ''}`);
    assert.deepEqual(offending, []);
  });
});
