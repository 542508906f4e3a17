import { api, ApiError } from './api.js';

// Used until the gateway offers GET /v1/engines: the engine every cluster has.
const builtIn = [{
  name: 'simulated', displayName: 'Simulated', description: 'A simulated WhatsApp network: pair with a simulated scan, no phone needed.',
  pairing: ['qr', 'pairing_code'], settingsField: null, settings: [],
}];

let engines;
/** The engines this cluster offers, with the settings each one takes when creating a session. */
export function listEngines() {
  engines ??= api('/v1/engines').then(reply => reply?.data?.length ? reply.data : builtIn).catch(error => {
    if (error instanceof ApiError && error.status === 404) return builtIn;
    engines = undefined;
    throw error;
  });
  return engines;
}
