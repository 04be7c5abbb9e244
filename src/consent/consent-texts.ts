import { createHash } from 'node:crypto';

/**
 * The consent texts a consumer can agree to, by version. A receipt names the version and the
 * SHA-256 of the exact text, so what the person agreed to can be proven later; a text is never
 * edited in place — a changed wording is a new version.
 */
export type ConsentPurpose = 'payment' | 'personalization' | 'health_screening';
// health_screening: a body-temperature reading may be linked to the person (src/fleet/fever-alerts.ts); never implied by the others.
export const CONSENT_PURPOSES: readonly ConsentPurpose[] = ['payment', 'personalization', 'health_screening'];

export interface ConsentText {
  readonly version: string;
  readonly jurisdictions: readonly string[];
  readonly text: string;
}

const TEXTS: readonly ConsentText[] = [
  {
    version: 'eu-2026-11',
    jurisdictions: ['EU', 'EEA', 'UK', 'CH'],
    text: [
      'I explicitly consent (GDPR Art. 9(2)(a)) to facekey computing a biometric template from my face and storing it,',
      'encrypted, to identify me at checkout for the purposes I select: "payment" (paying with my face) and,',
      'separately, "personalization" (remembering my orders per merchant). No photo is kept. I can withdraw at any time;',
      'my templates are then erased at once. Inactive enrollments are erased after the retention period.',
    ].join(' '),
  },
  {
    version: 'us-2026-11',
    jurisdictions: ['US'],
    text: [
      'I consent to facekey creating and storing an encrypted faceprint from my photo to identify me at checkout for the',
      'purposes I select ("payment", "personalization"). No photo is kept. I may withdraw at any time and my faceprint is',
      'destroyed at once; it is destroyed after the retention period of inactivity in any case.',
    ].join(' '),
  },
];

export function consentText(version: string): ConsentText | undefined {
  return TEXTS.find((t) => t.version === version);
}

export function consentTextDigest(text: ConsentText): string {
  return createHash('sha256').update(text.text, 'utf8').digest('hex');
}

export function consentTextVersions(): readonly ConsentText[] {
  return TEXTS;
}
