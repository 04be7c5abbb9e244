import { Forbidden } from '../errors/domain-errors.js';
import type { TerminalKind } from './terminal-registry.js';

export type TerminalCapability = 'pay' | 'enroll';

/**
 * What each kind of device may do, as data: a stolen kiosk or scanner must not be able to take
 * payments. A new device kind adds one row here, not a check in a route.
 */
const CAPABILITIES: Readonly<Record<TerminalKind, readonly TerminalCapability[]>> = {
  checkout: ['pay'],
  enrollment_kiosk: ['enroll'],
  temperature_scanner: [],
};

export function terminalMay(kind: TerminalKind, capability: TerminalCapability): boolean {
  return CAPABILITIES[kind]?.includes(capability) ?? false;
}

const REFUSALS: Record<TerminalCapability, string> = { pay: 'take payments', enroll: 'enroll consumers' };

/** Throws Forbidden unless a terminal of this kind may do this. */
export function requireTerminalCapability(terminal: { readonly kind: string }, capability: TerminalCapability): void {
  if (!terminalMay(terminal.kind as TerminalKind, capability)) throw new Forbidden(`a ${terminal.kind} cannot ${REFUSALS[capability]}`);
}
