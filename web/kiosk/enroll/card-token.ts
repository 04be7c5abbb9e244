/** The one message the hosted card page sends back (contract: "Hosted card fields"). */
export interface CardTokenMessage {
  readonly type: 'facekey.card-token';
  readonly tokenRef: string;
  readonly last4?: string;
}

/** Only the network's own page may hand us a token, and only in the agreed shape. */
export function cardTokenFrom(event: { origin: string; data: unknown }, networkOrigin: string): CardTokenMessage | undefined {
  if (event.origin !== networkOrigin) return undefined;
  const data = event.data as Partial<CardTokenMessage> | null;
  if (typeof data !== 'object' || data === null || data.type !== 'facekey.card-token' || typeof data.tokenRef !== 'string') return undefined;
  return { type: data.type, tokenRef: data.tokenRef, ...(typeof data.last4 === 'string' ? { last4: data.last4 } : {}) };
}
