/**
 * HMA's exchange routes (/c/exchanges…, /c/exchange/<name>…) and its index status by signal
 * type (/c/signal_type/index), over the ExchangeService: the same paths, shapes, statuses and
 * messages as HMA's curation blueprint. Creating an exchange creates its bank (as HMA); deleting
 * it deletes the bank and what was fetched. Credentials are set and cleared, never returned.
 * Fetching runs on the node's sync timer (`alliance serve`), as HMA's fetcher does: HMA has no
 * route that starts one.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TSchema } from 'typebox';
import type { BankService } from '../../banks/bank-service.js';
import { AllianceError } from '../../errors/catalogue.js';
import type { ExchangeService } from '../../exchange/index.js';
import type { Matcher } from '../../match/matcher.js';
import { SIGNAL_TYPES } from '../../signals/index.js';
import {
  HmaExchangeApiAuth,
  HmaExchangeApiSchema,
  HmaExchangeConfig,
  HmaFetchStatus,
  HmaMessage,
  HmaNameList,
  type HmaSchemaField,
  HmaSignalTypeIndex,
} from '../contract/hma.js';
import { hmaSignalTypes, nativeType } from './names.js';

export interface HmaExchangeOptions {
  exchanges: ExchangeService;
  banks: BankService;
  matcher: Matcher;
}

type Body = Record<string, unknown>;
type Principal = Parameters<ExchangeService['apis']>[0];

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Python's truthiness, which HMA's "{} clears the credentials" relies on. */
const falsy = (v: unknown) => v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
/** The fields HMA sets itself on an exchange's configuration (its CONFIG_IGNORE_FIELDS). */
const OWN_FIELDS = new Set(['name', 'api', 'enabled']);
const seconds = (iso: string | null) => (iso === null ? null : Math.floor(Date.parse(iso) / 1000));

/** HMA's kind of a field ("string", "number", "boolean", "enum", "list_of_…", "set_of_…") and its choices. */
function kindOf(s: TSchema): { kind: string; choices: unknown[] | null } {
  const schema = s as { type?: string | string[]; enum?: unknown[]; const?: unknown; anyOf?: TSchema[]; items?: TSchema; uniqueItems?: boolean };
  if (Array.isArray(schema.enum)) return { kind: 'enum', choices: schema.enum };
  if (Array.isArray(schema.anyOf)) {
    const branches = schema.anyOf.filter((b) => (b as { type?: string }).type !== 'null');
    const consts = branches.map((b) => (b as { const?: unknown }).const);
    if (branches.length > 0 && consts.every((c) => c !== undefined)) return { kind: 'enum', choices: consts };
    if (branches.length === 1) return kindOf(branches[0]);
    return { kind: 'string', choices: null };
  }
  if (schema.const !== undefined) return { kind: 'enum', choices: [schema.const] };
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'array' && schema.items) return { kind: `${schema.uniqueItems ? 'set' : 'list'}_of_${kindOf(schema.items).kind}`, choices: null };
  if (type === 'integer' || type === 'number') return { kind: 'number', choices: null };
  if (type === 'boolean') return { kind: 'boolean', choices: null };
  return { kind: 'string', choices: null };
}

/** HMA's form fields of an object schema: required when it must be given (no default), the default, the help text. */
export function schemaFields(schema: TSchema, ignore: ReadonlySet<string> = new Set()): HmaSchemaField[] {
  const s = schema as { properties?: Record<string, TSchema>; required?: string[] };
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {})
    .filter(([name]) => !ignore.has(name))
    .map(([name, p]) => {
      const { kind, choices } = kindOf(p);
      const own = p as { default?: unknown; description?: string };
      return {
        name,
        type: kind,
        required: required.has(name) && own.default === undefined,
        default: own.default ?? null,
        help: own.description ?? '',
        choices,
      };
    });
}

export async function hmaExchangeRoutes(app: FastifyInstance, opts: HmaExchangeOptions): Promise<void> {
  const { exchanges, banks, matcher } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  const apiAuth = async (principal: Principal, name: string) => {
    const api = (await exchanges.apis(principal)).find((a) => a.name === name);
    if (!api) throw new AllianceError('EXCHANGE_API_UNKNOWN', `no such Exchange API '${name}'`);
    return { supports_authentification: api.supports_credentials, has_set_authentification: api.has_credentials };
  };
  const configJson = (e: { name: string; api: string; enabled: boolean; config: Record<string, unknown> }) => {
    const own = Object.fromEntries(Object.entries(e.config).filter(([k]) => !OWN_FIELDS.has(k)));
    return { name: e.name, api: e.api, enabled: e.enabled, ...own };
  };

  r.get('/c/exchanges/apis', { config: { permission: 'banks.read' }, schema: { response: { 200: HmaNameList } } }, async (req) =>
    (await exchanges.apis(req.principal)).map((a) => a.name),
  );

  r.get('/c/exchanges/api/:api', { config: { permission: 'banks.read' }, schema: { response: { 200: HmaExchangeApiAuth } } }, async (req) =>
    apiAuth(req.principal, (req.params as { api: string }).api),
  );

  r.post('/c/exchanges/api/:api', { config: { permission: 'federation.manage' }, schema: { response: { 200: HmaExchangeApiAuth } } }, async (req) => {
    const { api } = req.params as { api: string };
    await apiAuth(req.principal, api);
    if (!isObject(req.body)) throw new AllianceError('VALIDATION', 'this endpoint expects a json object payload');
    const credentials = req.body.credential_json;
    if (credentials !== undefined && credentials !== null) {
      if (falsy(credentials)) await exchanges.setCredentials(req.principal, api, null);
      else if (!isObject(credentials)) throw new AllianceError('EXCHANGE_CONFIG_INVALID', 'credential_json must be a JSON object');
      else await exchanges.setCredentials(req.principal, api, credentials);
    }
    return apiAuth(req.principal, api);
  });

  r.get('/c/exchanges/api/:api/schema', { config: { permission: 'banks.read' }, schema: { response: { 200: HmaExchangeApiSchema } } }, async (req) => {
    const { api: name } = req.params as { api: string };
    let api;
    try {
      api = exchanges.api(req.principal, name);
    } catch (err) {
      if (err instanceof AllianceError && err.code === 'EXCHANGE_API_UNKNOWN') throw new AllianceError('NOT_FOUND', `Exchange API '${name}' not found`);
      throw err;
    }
    return {
      config_schema: { fields: schemaFields(api.configSchema, OWN_FIELDS) },
      credentials_schema: api.credentialSchema === null ? null : { fields: schemaFields(api.credentialSchema) },
    };
  });

  r.post('/c/exchanges', { config: { permission: 'federation.manage' }, schema: { response: { 201: HmaMessage } } }, async (req, reply) => {
    if (!isObject(req.body)) throw new AllianceError('VALIDATION', 'the request body must be a JSON object');
    const { bank, api } = req.body;
    const apiJson = 'api_json' in req.body ? req.body.api_json : {};
    if (bank === undefined || bank === null) throw new AllianceError('VALIDATION', 'bank is required');
    if (typeof bank !== 'string' || !/^[A-Z0-9_]+$/.test(bank)) throw new AllianceError('BANK_NAME_INVALID', 'Field `bank` must match /^[A-Z0-9_]+$/');
    if (!isObject(apiJson)) throw new AllianceError('VALIDATION', 'Field `api_json` must be object');
    if (api === undefined || api === null) throw new AllianceError('VALIDATION', 'Field `api_type` is required');
    const known = (await exchanges.apis(req.principal)).map((a) => a.name);
    if (typeof api !== 'string' || !known.includes(api)) throw new AllianceError('EXCHANGE_API_UNKNOWN', `No such exchange type '${String(api)}'`);
    const enabled = apiJson.enabled ?? true;
    if (typeof enabled !== 'boolean') throw new AllianceError('EXCHANGE_CONFIG_INVALID', 'Failed to parse `api_json` - enabled must be true or false');
    const config = Object.fromEntries(Object.entries(apiJson).filter(([k]) => !OWN_FIELDS.has(k)));
    try {
      await exchanges.create(req.principal, { name: bank, api, config, enabled });
    } catch (err) {
      if (err instanceof AllianceError && err.code === 'EXCHANGE_CONFIG_INVALID')
        throw new AllianceError('EXCHANGE_CONFIG_INVALID', `Failed to parse \`api_json\` - ${err.message}`);
      throw err;
    }
    void reply.status(201);
    return { message: 'Created successfully' };
  });

  r.get('/c/exchanges', { config: { permission: 'banks.read' }, schema: { response: { 200: HmaNameList } } }, async (req) =>
    (await exchanges.list(req.principal)).map((e) => e.name),
  );

  r.get('/c/exchange/:name', { config: { permission: 'banks.read' }, schema: { response: { 200: HmaExchangeConfig } } }, async (req) =>
    configJson(await exchanges.get(req.principal, (req.params as { name: string }).name)),
  );

  r.put('/c/exchange/:name', { config: { permission: 'federation.manage' }, schema: { response: { 200: HmaExchangeConfig } } }, async (req) => {
    const { name } = req.params as { name: string };
    const body = req.body === undefined || req.body === null ? {} : req.body;
    if (!isObject(body)) throw new AllianceError('VALIDATION', 'the request body must be a JSON object');
    const current = await exchanges.get(req.principal, name);
    // As HMA: `enabled` is the one field it changes; absent (or null), nothing changes.
    if (body.enabled === undefined || body.enabled === null) return configJson(current);
    return configJson(await exchanges.update(req.principal, name, { enabled: body.enabled as boolean }));
  });

  r.delete('/c/exchange/:name', { config: { permission: 'federation.manage' }, schema: { response: { 200: HmaMessage } } }, async (req) => {
    // As HMA: deleting an exchange that does not exist is not an error.
    await exchanges.remove(req.principal, (req.params as { name: string }).name).catch((err: unknown) => {
      if (!(err instanceof AllianceError && err.code === 'EXCHANGE_NOT_FOUND')) throw err;
    });
    return { message: 'Exchange deleted' };
  });

  r.get('/c/exchange/:name/status', { config: { permission: 'banks.read' }, schema: { response: { 200: HmaFetchStatus } } }, async (req) => {
    const { name } = req.params as { name: string };
    const view = await exchanges.get(req.principal, name);
    const s = await exchanges.status(req.principal, name);
    // HMA counts the items the exchange holds now (its fetched data), not every update ever applied.
    const held = (await banks.getBank(req.principal, view.bank)).content_count;
    return {
      checkpoint_ts: seconds(s.checkpoint_ts),
      running_fetch_start_ts: seconds(s.running_fetch_started_at),
      last_fetch_complete_ts: seconds(s.last_fetch_completed_at),
      last_fetch_succeeded: s.last_fetch_succeeded,
      up_to_date: s.up_to_date,
      fetched_items: held,
    };
  });

  // The index follows the database as signals change (no rebuild to wait for): never out of date.
  r.get('/c/signal_type/index', { config: { permission: 'index.read' }, schema: { response: { 200: HmaSignalTypeIndex } } }, async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const names = q.signal_type !== undefined ? [q.signal_type] : hmaSignalTypes();
    const status = matcher.status();
    const out: HmaSignalTypeIndex = {};
    for (const name of names) {
      const native = nativeType(name);
      if (!native || !SIGNAL_TYPES.has(native) || !hmaSignalTypes().includes(name))
        throw new AllianceError('SIGNAL_TYPE_UNKNOWN', `No such signal type '${name}'`);
      const size = status.types[native]?.size ?? 0;
      const builtTo = size > 0 ? Math.floor(Date.now() / 1000) : -1;
      out[name] = { db_size: size, index_size: size, index_out_of_date: false, newest_db_item: builtTo, index_built_to: builtTo };
    }
    return out;
  });
}
