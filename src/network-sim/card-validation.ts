import { InvalidCard } from './network-errors.js';
import { luhnValid } from '../cards/luhn.js';

/** A card's expiry as printed: valid through the last day of that month. */
export interface CardExpiry {
  readonly month: number;
  readonly year: number;
}

export function cardExpired(expiry: CardExpiry, now: Date): boolean {
  // Date.UTC rolls month 12 over into January of the next year.
  return now.getTime() >= Date.UTC(expiry.year, expiry.month, 1);
}

/** Throws InvalidCard naming the rule broken; the message never repeats the number. */
export function assertCardAcceptable(pan: string, expiry: CardExpiry, now: Date): void {
  if (!/^[0-9]{13,19}$/.test(pan)) throw new InvalidCard('card number must be 13 to 19 digits', { rule: 'length' });
  if (!luhnValid(pan)) throw new InvalidCard('card number fails the Luhn check', { rule: 'luhn' });
  if (!Number.isInteger(expiry.month) || expiry.month < 1 || expiry.month > 12) {
    throw new InvalidCard('expiry month must be 1 to 12', { rule: 'expiry_month' });
  }
  if (!Number.isInteger(expiry.year) || expiry.year < 2000 || expiry.year > 2099) {
    throw new InvalidCard('expiry year must be four digits, 2000 to 2099', { rule: 'expiry_year' });
  }
  if (cardExpired(expiry, now)) throw new InvalidCard('card has expired', { rule: 'expired' });
}

/** Stored form, sortable and unambiguous: `YYYY-MM`. */
export function formatExpiry(expiry: CardExpiry): string {
  return `${expiry.year}-${String(expiry.month).padStart(2, '0')}`;
}

export function parseExpiry(stored: string): CardExpiry {
  const [year, month] = stored.split('-').map(Number);
  return { year: year ?? NaN, month: month ?? NaN };
}
