/**
 * The replay filter's memory: per device, the last 32 message ids (as 48-bit hashes) with their
 * times, all devices in one growing Float64Array, so 20,000 devices cost about 10 MB however long
 * they run (a list of id strings per device grew for as long as the freshness window, 10 minutes).
 *
 * A message whose id is remembered is a replay or a redelivery. A message older than every one
 * remembered for its device cannot be told apart from a replay of a forgotten one, so it is refused
 * too; that only happens to a genuine message delayed behind more than 32 of its device's later ones.
 */
import { createHash } from 'node:crypto';

const REMEMBERED_PER_DEVICE = 32;
/** Per device: [count, next, then (hash, at) × REMEMBERED_PER_DEVICE]. */
const SLOT_SIZE = 2 + 2 * REMEMBERED_PER_DEVICE;

export type RecentIdVerdict = 'new' | 'replayed' | 'older_than_remembered';

export class RecentMessageIds {
  private data = new Float64Array(SLOT_SIZE * 1024);
  private readonly slots = new Map<string, number>();
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;

  /** Checks the message and, when new, remembers it. */
  admit(
    deviceId: string,
    messageId: string,
    atMs: number,
    options: { readonly olderThanRememberedIsReplay?: boolean } = {},
  ): RecentIdVerdict {
    const base = this.slotOf(deviceId) * SLOT_SIZE;
    const data = this.data;
    const hash = hashOf(messageId);
    const count = data[base]!;
    let oldest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < count; i++) {
      const entry = base + 2 + 2 * i;
      if (data[entry] === hash) return 'replayed';
      if (data[entry + 1]! < oldest) oldest = data[entry + 1]!;
    }
    if (options.olderThanRememberedIsReplay !== false && count === REMEMBERED_PER_DEVICE && atMs < oldest) return 'older_than_remembered';
    const next = data[base + 1]!;
    data[base + 2 + 2 * next] = hash;
    data[base + 3 + 2 * next] = atMs;
    data[base + 1] = (next + 1) % REMEMBERED_PER_DEVICE;
    if (count < REMEMBERED_PER_DEVICE) data[base] = count + 1;
    return 'new';
  }

  forget(deviceId: string): void {
    const slot = this.slots.get(deviceId);
    if (slot === undefined) return;
    this.slots.delete(deviceId);
    this.data.fill(0, slot * SLOT_SIZE, (slot + 1) * SLOT_SIZE);
    this.freeSlots.push(slot);
  }

  private slotOf(deviceId: string): number {
    let slot = this.slots.get(deviceId);
    if (slot !== undefined) return slot;
    slot = this.freeSlots.pop() ?? this.nextSlot++;
    if ((slot + 1) * SLOT_SIZE > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.slots.set(deviceId, slot);
    return slot;
  }
}

/** 48 bits of SHA-256: exact in a double, and a collision between two of a device's 32 ids is out of reach. */
function hashOf(messageId: string): number {
  return createHash('sha256').update(messageId, 'utf8').digest().readUIntBE(0, 6);
}
