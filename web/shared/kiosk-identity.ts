/**
 * A kiosk's own terminal identity: an Ed25519 key pair made by WebCrypto whose private half is
 * non-extractable and lives only in this browser's IndexedDB, registered once with a fleet claim
 * (POST /v1/fleet/registrations, proof of possession over the claim token). Each kiosk page keeps
 * its own identity (`enroll`, `checkout`), so one browser can serve as both.
 */
import { claimProofText } from '../../src/fleet/claim-proof.js';
import { bytesToBase64url } from '../../src/devices/terminal-signature.js';
import { apiJson } from './api';
import type { BrowserTerminalCredentials } from './signed-fetch';

export type KioskRole = 'enroll' | 'checkout';

export interface KioskIdentity extends BrowserTerminalCredentials {
  readonly role: KioskRole;
  readonly kind: string;
  readonly siteId: string;
  readonly publicJwk: { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string };
  readonly registeredAt: string;
}

const DB_NAME = 'facekey-kiosk';
const STORE = 'identity';

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = act(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

export async function loadIdentity(role: KioskRole): Promise<KioskIdentity | undefined> {
  return (await withStore<KioskIdentity | undefined>('readonly', (s) => s.get(role))) ?? undefined;
}

export async function forgetIdentity(role: KioskRole): Promise<void> {
  await withStore('readwrite', (s) => s.delete(role));
}

/** The claim from `#claim=…` (a fragment, so it never reaches a server log); removed from the address bar once read. */
export function claimFromLocation(location: Location = globalThis.location): string | undefined {
  const claim = new URLSearchParams(location.hash.replace(/^#/, '')).get('claim') ?? undefined;
  if (claim) history.replaceState(null, '', location.pathname + location.search);
  return claim?.trim() || undefined;
}

interface Registered {
  readonly device: { readonly id: string; readonly kind: string; readonly siteId: string; readonly registeredAt: string };
}

/** Makes the key pair, proves possession to the claim, and stores the identity. */
export async function pairWithClaim(role: KioskRole, claimToken: string, label: string): Promise<KioskIdentity> {
  const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
  if (typeof jwk.x !== 'string') throw new Error('the browser exported no Ed25519 public key');
  const publicJwk = { kty: 'OKP', crv: 'Ed25519', x: jwk.x } as const;
  const proof = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, keys.privateKey, new TextEncoder().encode(claimProofText(claimToken, jwk.x))));
  const { device } = await apiJson<Registered>('/v1/fleet/registrations', {
    json: { claimToken, publicKey: publicJwk, proof: bytesToBase64url(proof), label },
  });
  const identity: KioskIdentity = {
    role,
    terminalId: device.id,
    kind: device.kind,
    siteId: device.siteId,
    privateKey: keys.privateKey,
    publicJwk,
    registeredAt: device.registeredAt,
  };
  await withStore('readwrite', (s) => s.put(identity, role));
  return identity;
}
