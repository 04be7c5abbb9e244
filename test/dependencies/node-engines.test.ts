/**
 * The project declares Node `>=20.19 <21` (package.json engines). Every installed package that
 * declares `engines.node` must admit that whole range, or `npm ci` warns (EBADENGINE) and the
 * package may use an API Node 20 lacks. usearch 2.26, canonicalize 5 and cookie 2 (through
 * light-my-request) once declared Node ≥ 22; this keeps such an upgrade from slipping back in.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { projectRoot } from '../../src/runtime/project-root.js';

interface Manifest {
  readonly name?: string;
  readonly version?: string;
  readonly engines?: { readonly node?: unknown };
}

const readManifest = (file: string): Manifest => JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;

/** Every package folder under node_modules, nested node_modules and scopes included. */
function* installedPackages(modules: string): Generator<string> {
  if (!fs.existsSync(modules)) return;
  for (const entry of fs.readdirSync(modules, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || !(entry.isDirectory() || entry.isSymbolicLink())) continue;
    const folder = path.join(modules, entry.name);
    if (entry.name.startsWith('@')) {
      yield* installedPackages(folder);
      continue;
    }
    if (fs.existsSync(path.join(folder, 'package.json'))) yield folder;
    yield* installedPackages(path.join(folder, 'node_modules'));
  }
}

test("every installed dependency's engines.node admits the project's whole Node range", () => {
  const root = projectRoot();
  const declared = readManifest(path.join(root, 'package.json')).engines?.node;
  assert.equal(typeof declared, 'string');
  const range = declared as string;
  assert.ok(semver.satisfies(process.versions.node, range), `the project's own range ${range} admits the Node running the tests (${process.versions.node})`);
  assert.ok(semver.subset(range, '20'), `the project's own range ${range} stays on Node 20`);

  const refusing: string[] = [];
  let checked = 0;
  for (const folder of installedPackages(path.join(root, 'node_modules'))) {
    const manifest = readManifest(path.join(folder, 'package.json'));
    const node = manifest.engines?.node;
    if (typeof node !== 'string') continue;
    checked++;
    if (semver.validRange(node) === null || !semver.subset(range, node)) {
      refusing.push(`${path.relative(root, folder)}@${manifest.version}: engines.node "${node}"`);
    }
  }
  assert.ok(checked > 50, `found ${checked} packages declaring engines.node; is node_modules installed?`);
  assert.deepEqual(refusing, [], `packages that do not admit Node ${range}`);
});

test('the check itself refuses a range that leaves Node 20 out', () => {
  assert.equal(semver.subset('>=20.15 <21', '>=22'), false);
  assert.equal(semver.subset('>=20.15 <21', '>=20'), true);
  assert.equal(semver.subset('>=20.15 <21', '^18.17.0 || >=20.5.0'), true);
});
