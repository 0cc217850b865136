/** The exchange APIs every node has: one import and one line per adapter. */
import { fbThreatExchangeApi } from './fb-threatexchange.js';
import { registerExchangeApi } from './registry.js';

// registerExchangeApi(ncmecApi);  ← each adapter adds its line here
registerExchangeApi(fbThreatExchangeApi);
export const BUILTIN_EXCHANGE_APIS_REGISTERED = true;
void registerExchangeApi;
