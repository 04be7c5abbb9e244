import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/runtime/project-root.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { loadOrCreateMasterKey } from '../../src/crypto/master-key.js';
import { createEngine, DEFAULT_ENGINE_ID } from '../../src/engines/engine-registry.js';
import { createTemplate } from '../../src/templates/template.js';
import { encodeTemplate } from '../../src/templates/template-codec.js';
import { seededRandom, randomVector } from '../../src/runtime/seeded-random.js';

const PORT = 18000 + Math.floor(Math.random() * 1000);
const base = `http://127.0.0.1:${PORT}`;

function startServer(dataDir: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot(), 'src/cli/main.ts'), 'serve'], {
    cwd: projectRoot(),
    env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', FACEKEY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function waitReady(): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('service did not become ready within 60 s');
}

async function post(url: string, token: string, body: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(base + url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

test(
  'SIGKILL in the middle of enrollments loses nothing acknowledged and leaves no half-written subject',
  { timeout: 180_000 },
  async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-crash-'));
    let server = startServer(dataDir);
    try {
      await waitReady();
      const operator = fs.readFileSync(path.join(dataDir, 'operator.key'), 'utf8').trim();
      const tenant = (await post('/v1/tenants', operator, { name: 'crash test' })).body;
      const key = (await post(`/v1/tenants/${tenant.id}/api-keys`, operator, { scopes: ['enroll'] })).body.token;
      const engine = createEngine(DEFAULT_ENGINE_ID);
      const random = seededRandom(42);

      const acknowledged: Array<{ subjectId: string; templateId: string }> = [];
      const acknowledgedSubjects: string[] = [];
      let stop = false;
      // Eight clients each create a subject and enroll a device template, as fast as they can.
      const client = async (c: number): Promise<void> => {
        for (let i = 0; !stop; i++) {
          try {
            const consent = await post('/v1/consents', key, {
              textVersion: 'eu-2026-11',
              purposes: ['payment'],
              jurisdiction: 'EU',
              deviceId: `kiosk-${c}`,
            });
            if (consent.status !== 201) continue;
            const subject = await post('/v1/subjects', key, { externalRef: `c${c}-${i}`, consentId: consent.body.id });
            if (subject.status !== 201) continue;
            acknowledgedSubjects.push(subject.body.id);
            const template = Buffer.from(encodeTemplate(createTemplate(engine, randomVector(engine.dimension, random)))).toString('base64');
            const enrolled = await post(`/v1/subjects/${subject.body.id}/templates`, key, { template });
            if (enrolled.status === 201) acknowledged.push({ subjectId: subject.body.id, templateId: enrolled.body.templateId });
          } catch {
            return; // the server died under us: whatever was not acknowledged may be lost
          }
        }
      };
      const clients = Array.from({ length: 8 }, (_, c) => client(c));
      await new Promise((r) => setTimeout(r, 1500));
      server.kill('SIGKILL');
      stop = true;
      await Promise.all(clients);
      assert.ok(acknowledged.length > 20, `only ${acknowledged.length} enrollments were acknowledged before the kill`);

      // Restart on the same files: the service must come back and still hold every acknowledged write.
      server = startServer(dataDir);
      await waitReady();
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));

      const store = await SqliteStore.open({
        path: path.join(dataDir, 'facekey.sqlite'),
        masterKey: loadOrCreateMasterKey({ keyFile: path.join(dataDir, 'master.key') }),
      });
      try {
        for (const { subjectId, templateId } of acknowledged) {
          const templates = await store.listTemplates(tenant.id, subjectId);
          assert.ok(
            templates.some((t) => t.templateId === templateId),
            `acknowledged template ${templateId} is missing`,
          );
        }
        for (const subjectId of acknowledgedSubjects)
          assert.ok(await store.getSubject(tenant.id, subjectId), `acknowledged subject ${subjectId} is missing`);
        // Every subject that exists is whole: its data key opens its templates.
        let after: string | undefined;
        let subjects = 0;
        do {
          const page = await store.listSubjects(tenant.id, { limit: 200, ...(after ? { after } : {}) });
          for (const s of page.items) {
            await store.listTemplates(tenant.id, s.id);
            subjects++;
          }
          after = page.next;
        } while (after);
        assert.ok(subjects >= acknowledgedSubjects.length);
        console.log(
          `crash test: ${acknowledged.length} acknowledged enrollments and ${acknowledgedSubjects.length} subjects all present after SIGKILL; ${subjects} subjects readable`,
        );
      } finally {
        await store.close();
      }
    } finally {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
  },
);
