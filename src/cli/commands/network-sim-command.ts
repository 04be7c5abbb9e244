import { serverCommand } from '../server-command.js';
import { readNetworkSimConfig } from '../../network-sim/network-sim-config.js';
import { startNetworkSimulator } from '../../network-sim/start-network-simulator.js';

export const networkSimCommand = serverCommand({
  name: 'network-sim',
  summary:
    'run the card-network simulator: token vault, hosted card page, assertion verification, authorizations, webhooks (NETWORK_SIM_PORT, NETWORK_SIM_HOST, NETWORK_SIM_DATA_DIR, FACEKEY_JWKS_URL, FACEKEY_ISSUER, NETWORK_SIM_CARD_LIMIT, NETWORK_SIM_API_KEY, NETWORK_SIM_CARD_PAGE_ORIGINS)',
  start: () => startNetworkSimulator(readNetworkSimConfig()),
  listening: (url) => `network simulator listening on ${url}`,
});
