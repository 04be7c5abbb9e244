import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FacekeyError } from '../errors/domain-errors.js';
import { requireTerminalCapability, terminalMay } from './terminal-capabilities.js';
import { TERMINAL_KINDS } from './terminal-registry.js';

describe('terminal capabilities', () => {
  it('lets only a checkout terminal pay and only an enrollment kiosk enroll', () => {
    assert.deepEqual(
      TERMINAL_KINDS.filter((kind) => terminalMay(kind, 'pay')),
      ['checkout'],
    );
    assert.deepEqual(
      TERMINAL_KINDS.filter((kind) => terminalMay(kind, 'enroll')),
      ['enrollment_kiosk'],
    );
  });

  it('refuses an unknown kind and names the kind in the Forbidden error', () => {
    assert.equal(terminalMay('coffee_machine' as never, 'pay'), false);
    assert.throws(
      () => requireTerminalCapability({ kind: 'temperature_scanner' }, 'pay'),
      (error: unknown) =>
        error instanceof FacekeyError && error.code === 'forbidden' && /temperature_scanner cannot take payments/.test(error.message),
    );
    assert.doesNotThrow(() => requireTerminalCapability({ kind: 'checkout' }, 'pay'));
  });
});
