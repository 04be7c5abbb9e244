import type { CliCommand } from '../command.js';
import { closeOnStopSignal } from '../close-on-stop-signal.js';
import { readNetworkSimConfig } from '../../network-sim/network-sim-config.js';
import { startNetworkSimulator } from '../../network-sim/start-network-simulator.js';

export const networkSimCommand: CliCommand = {
  name: 'network-sim',
  summary:
    'run the card-network simulator: token vault, hosted card page, assertion verification, authorizations, webhooks (NETWORK_SIM_PORT, NETWORK_SIM_HOST, NETWORK_SIM_DATA_DIR, FACEKEY_JWKS_URL, FACEKEY_ISSUER, NETWORK_SIM_CARD_LIMIT, NETWORK_SIM_API_KEY, NETWORK_SIM_CARD_PAGE_ORIGINS)',
  usage: 'facekey network-sim',
  async run(_argv, io) {
    const simulator = await startNetworkSimulator(readNetworkSimConfig());
    io.err(`network simulator listening on ${simulator.url}`);
    await closeOnStopSignal(() => simulator.close());
    return 0;
  },
};
