import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCardAcceptable, cardExpired } from './card-validation.js';
import { luhnValid } from '../cards/luhn.js';
import { InvalidCard } from './network-errors.js';

const NOW = new Date('2030-06-15T12:00:00Z');

test('Luhn accepts well-known test numbers and rejects a changed digit', () => {
  for (const pan of ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '4222222222222']) {
    assert.equal(luhnValid(pan), true, pan);
  }
  assert.equal(luhnValid('4111111111111112'), false);
  assert.equal(luhnValid('5555555555554445'), false);
  assert.equal(luhnValid('4111-1111-1111-1111'), false);
  assert.equal(luhnValid(''), false);
});

test('a card is valid through the last day of its expiry month', () => {
  assert.equal(cardExpired({ month: 6, year: 2030 }, NOW), false);
  assert.equal(cardExpired({ month: 6, year: 2030 }, new Date('2030-06-30T23:59:59Z')), false);
  assert.equal(cardExpired({ month: 6, year: 2030 }, new Date('2030-07-01T00:00:00Z')), true);
  assert.equal(cardExpired({ month: 12, year: 2030 }, new Date('2030-12-31T23:59:59Z')), false);
  assert.equal(cardExpired({ month: 12, year: 2030 }, new Date('2031-01-01T00:00:00Z')), true);
});

test('card validation names the broken rule and never echoes the number', () => {
  const cases: [string, number, number, string][] = [
    ['411111111111', 12, 2031, 'length'], // 12 digits
    ['41111111111111111111', 12, 2031, 'length'], // 20 digits
    ['4111 1111 1111 1111', 12, 2031, 'length'],
    ['4111111111111112', 12, 2031, 'luhn'],
    ['4111111111111111', 13, 2031, 'expiry_month'],
    ['4111111111111111', 0, 2031, 'expiry_month'],
    ['4111111111111111', 12, 31, 'expiry_year'],
    ['4111111111111111', 5, 2030, 'expired'],
  ];
  for (const [pan, month, year, rule] of cases) {
    assert.throws(
      () => assertCardAcceptable(pan, { month, year }, NOW),
      (error: unknown) =>
        error instanceof InvalidCard && error.details.rule === rule && !error.message.includes(pan) && error.code === 'invalid_card',
      `${pan} ${month}/${year}`,
    );
  }
  assert.doesNotThrow(() => assertCardAcceptable('4111111111111111', { month: 6, year: 2030 }, NOW));
  assert.doesNotThrow(() => assertCardAcceptable('4222222222222', { month: 1, year: 2099 }, NOW));
});
