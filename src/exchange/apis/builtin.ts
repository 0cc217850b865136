/** The exchange APIs every node has: one import and one line per adapter. */
import { fbThreatExchangeApi } from './fb-threatexchange.js';
import { ncmecApi } from './ncmec.js';
import { registerExchangeApi } from './registry.js';
import { sampleApi } from './sample.js';

registerExchangeApi(sampleApi);
registerExchangeApi(ncmecApi);
registerExchangeApi(fbThreatExchangeApi);
