/** The exchange APIs this node knows: one line per adapter file. Tests may register one of their own. */
import { AllianceError } from '../../errors/catalogue.js';
import type { ExchangeApi } from './exchange-api.js';

const apis = new Map<string, ExchangeApi>();

/** Adds an API (the adapters below at load; a test's own); returns the function that removes it again. */
export function registerExchangeApi(api: ExchangeApi<never, never, never> | ExchangeApi): () => void {
  const a = api as ExchangeApi;
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(a.name)) throw new Error(`exchange API name "${a.name}" must be lower-case letters, digits and _`);
  if (apis.has(a.name)) throw new Error(`exchange API "${a.name}" is registered twice`);
  apis.set(a.name, a);
  return () => void apis.delete(a.name);
}

export function exchangeApis(): ExchangeApi[] {
  return [...apis.values()];
}

export function getExchangeApi(name: string): ExchangeApi {
  const api = apis.get(name);
  if (!api) throw new AllianceError('EXCHANGE_API_UNKNOWN', `no exchange API "${String(name).slice(0, 60)}" (known: ${[...apis.keys()].join(', ') || 'none'})`);
  return api;
}
