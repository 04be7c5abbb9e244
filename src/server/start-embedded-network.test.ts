import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCardNetwork } from './start-embedded-network.js';

test('the embedded card network runs in-process with its own data folder, and closes', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-embedded-network-'));
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const network = await startCardNetwork(
    { mode: 'embedded', simulatorPort: 0, simulatorPortConfigured: false },
    { host: '127.0.0.1', dataDir, publicUrl: 'http://localhost:8080', logLevel: 'silent', portConfigured: false },
  );
  assert.match(network.url!, /^http:\/\/localhost:\d+$/, "facekey's public host, the simulator's port");
  assert.ok(fs.existsSync(path.join(dataDir, 'network-sim', 'acquirer-api.key')));
  const page = await fetch(`${network.simulator!.url}/hosted/card?origin=${encodeURIComponent('http://localhost:8080')}`);
  assert.equal(page.status, 200);
  await network.close();
  await assert.rejects(fetch(`${network.simulator!.url}/health`));

  const external = await startCardNetwork(
    { mode: 'external', url: 'https://network.example' },
    {
      host: '127.0.0.1',
      dataDir,
      publicUrl: 'http://localhost:8080',
      logLevel: 'silent',
      portConfigured: false,
    },
  );
  assert.deepEqual([external.url, external.simulator], ['https://network.example', undefined]);
  assert.equal(
    (
      await startCardNetwork(
        { mode: 'off' },
        { host: '127.0.0.1', dataDir, publicUrl: 'http://x', logLevel: 'silent', portConfigured: false },
      )
    ).url,
    null,
  );
});
