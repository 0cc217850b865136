/**
 * HMA's curator surface: /c/banks, /c/bank/<name>, its content and signals, signal and content
 * types. A thin adapter: every write goes through the same BankService as /api/v1 (owner checks,
 * audit, instant index updates).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DISABLED_FOREVER, type BankService, type BankView, type ContentView } from '../../banks/bank-service.js';
import { AllianceError } from '../../errors/catalogue.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { getMeta, jsonLimitProblem, setMeta, type Store } from '../../store/index.js';
import { hashMultipart, hashUrl, type MediaOptions } from './media.js';
import {
  HmaBank,
  HmaBankList,
  HmaContent,
  HmaContentAdded,
  HmaContentTypeList,
  HmaContentUpdated,
  HmaDeleted,
  HmaMessage,
  HmaSignalTypeList,
} from '../contract/hma.js';
import { hmaContentTypes, hmaSignalTypes, hmaType, hmaValue, nativeType, nativeValue } from './names.js';

export interface HmaCurationOptions extends MediaOptions {
  banks: BankService;
  store: Store;
  audit: AuditLog;
}

type Body = Record<string, unknown>;

/** A JSON object body (absent = {}); a string, number, array or boolean is a 400, as HMA's own checks. */
function objectBody(body: unknown): Body {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new AllianceError('VALIDATION', 'the request body must be a JSON object');
  return body as Body;
}
/** A number as Python's float() reads one (HMA's str_to_type): a JSON number or boolean, or the text of a number. */
function pythonFloat(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}
const HMA_BANK_NAME = /^[A-Z_][A-Z0-9_]*$/;
const FIVE_YEARS_S = 5 * 365 * 24 * 3600;
const METADATA_KEYS = new Set(['content_id', 'content_uri', 'json']);

function bankJson(b: BankView): HmaBank {
  return { matching_enabled_ratio: b.matching_enabled ? b.enabled_ratio : 0, name: b.name };
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || !HMA_BANK_NAME.test(name)) throw new AllianceError('BANK_NAME_INVALID', 'Bank names must be UPPER_WITH_UNDERSCORE');
  return name;
}

/** HMA's disable_until_ts (0 forever, 1 enabled, else unix seconds) from Alliance's. */
function toTs(c: ContentView): number {
  if (c.disabled_until === null) return 1;
  const ms = Date.parse(c.disabled_until);
  return ms >= DISABLED_FOREVER ? 0 : Math.floor(ms / 1000);
}

function fromTs(value: unknown): number | null {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new AllianceError('VALIDATION', `Invalid int: '${String(value)}'`);
  if (n < 0) throw new AllianceError('VALIDATION', 'disable_until_ts must be a non-negative integer');
  if (n > Date.now() / 1000 + FIVE_YEARS_S) throw new AllianceError('VALIDATION', 'disable_until_ts must be less than 5 years in the future');
  if (n === 0) return DISABLED_FOREVER;
  if (n === 1) return null;
  return n * 1000;
}

function checkNote(note: unknown): string | null {
  if (note === undefined || note === null || note === '') return null;
  if (typeof note !== 'string') throw new AllianceError('VALIDATION', 'note should be a string');
  if (note.length > 255) throw new AllianceError('VALIDATION', 'note must be at most 255 characters');
  return note;
}

function checkMetadata(raw: unknown): Record<string, unknown> | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new AllianceError('VALIDATION', 'metadata should be a json object');
  const m = { ...(raw as Body) };
  delete m.collab;
  for (const [k, v] of Object.entries(m)) {
    if (!METADATA_KEYS.has(k)) throw new AllianceError('VALIDATION', `Invalid metadata: unknown field ${k}`);
    if ((k === 'content_id' || k === 'content_uri') && typeof v !== 'string') throw new AllianceError('VALIDATION', `Invalid metadata: ${k} must be a string`);
  }
  const problem = jsonLimitProblem(m);
  if (problem) throw new AllianceError('VALIDATION', `Invalid metadata: it ${problem}`);
  return Object.keys(m).length ? m : null;
}

function signalsJson(c: ContentView): Record<string, string> {
  return Object.fromEntries(c.signals.map((s) => [hmaType(s.signal_type), hmaValue(s.signal_type, s.value)]));
}

export async function hmaCurationRoutes(app: FastifyInstance, opts: HmaCurationOptions): Promise<void> {
  const { banks } = opts;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const bankOf = async (req: { principal: Parameters<BankService['getBank']>[0] }, name: string) => {
    try {
      return await banks.getBank(req.principal, name);
    } catch (err) {
      if (err instanceof AllianceError && err.code === 'BANK_NOT_FOUND') throw new AllianceError('BANK_NOT_FOUND', `bank '${name}' not found`);
      throw err;
    }
  };
  const contentIn = async (req: { principal: Parameters<BankService['getContent']>[0] }, bank: string, id: number) => {
    const c = await banks.getContent(req.principal, id).catch((err: unknown) => {
      if (err instanceof AllianceError && err.code === 'CONTENT_NOT_FOUND') return undefined;
      throw err;
    });
    // Unlike HMA, content is only reachable under its own bank.
    if (!c || c.bank !== bank) throw new AllianceError('CONTENT_NOT_FOUND', `content '${id}' not found`);
    return c;
  };

  r.get('/c/banks', { config: { permission: 'banks.read' }, schema: { response: { 200: HmaBankList } } }, async (req) =>
    (await banks.listBanks(req.principal)).map(bankJson),
  );

  r.post('/c/banks', { config: { permission: 'banks.write' }, schema: { response: { 201: HmaBank } } }, async (req, reply) => {
    const body = objectBody(req.body);
    const name = checkName(body.name);
    const ratio = typeof body.enabled_ratio === 'number' ? body.enabled_ratio : body.enabled_ratio === null && body.enabled === false ? 0 : 1;
    const bank = await banks.createBank(req.principal, { name, enabled_ratio: ratio });
    void reply.status(201);
    return bankJson(bank);
  });

  r.get('/c/bank/:name', { config: { permission: 'banks.read' }, schema: { response: { 200: HmaBank } } }, async (req) =>
    bankJson(await bankOf(req, (req.params as { name: string }).name)),
  );

  r.put('/c/bank/:name', { config: { permission: 'banks.write' }, schema: { response: { 200: HmaBank } } }, async (req) => {
    const { name } = req.params as { name: string };
    const body = objectBody(req.body);
    if (body.name !== undefined) checkName(body.name);
    let ratio: number | undefined;
    if (typeof body.enabled === 'boolean') ratio = body.enabled ? 1 : 0;
    if (typeof body.enabled_ratio === 'number') ratio = body.enabled_ratio;
    try {
      return bankJson(
        await banks.updateBank(req.principal, name, {
          ...(typeof body.name === 'string' ? { name: body.name } : {}),
          ...(ratio !== undefined ? { enabled_ratio: ratio, matching_enabled: true } : {}),
        }),
      );
    } catch (err) {
      if (err instanceof AllianceError && err.code === 'BANK_NOT_FOUND') throw new AllianceError('BANK_NOT_FOUND', 'Bank not found');
      if (err instanceof AllianceError && err.code === 'BANK_EXISTS') throw new AllianceError('BANK_EXISTS', 'Bank name already exists');
      throw err;
    }
  });

  r.delete('/c/bank/:name', { config: { permission: 'banks.write' }, schema: { response: { 200: HmaMessage } } }, async (req) => {
    await banks.deleteBank(req.principal, (req.params as { name: string }).name).catch((err: unknown) => {
      if (!(err instanceof AllianceError && err.code === 'BANK_NOT_FOUND')) throw err;
    });
    return { message: 'Done' };
  });

  r.post('/c/bank/:name/content', { config: { permission: 'banks.write' }, schema: { response: { 200: HmaContentAdded } } }, async (req) => {
    const { name } = req.params as { name: string };
    const q = req.query as Record<string, string | undefined>;
    await bankOf(req, name);
    let signals: Record<string, string>;
    let metadata: Record<string, unknown> | null = null;
    let note: string | null = null;
    if (req.isMultipart()) {
      const upload = await hashMultipart(req, q.types, opts);
      signals = upload.signals;
      if (upload.fields.metadata !== undefined) {
        try {
          metadata = checkMetadata(JSON.parse(upload.fields.metadata));
        } catch (err) {
          if (err instanceof AllianceError) throw err;
          throw new AllianceError('VALIDATION', 'metadata form field must be valid JSON');
        }
      }
      note = checkNote(upload.fields.note);
    } else {
      const body = objectBody(req.body);
      metadata = checkMetadata(body.metadata);
      note = checkNote(body.note);
      if (!q.url) throw new AllianceError('VALIDATION', 'Neither `url` nor multipart file upload was received');
      signals = await hashUrl(q.url, q.content_type, q.types, opts);
    }
    if (Object.keys(signals).length === 0) throw new AllianceError('VALIDATION', 'No signals given');
    const c = await banks.addContent(req.principal, name, {
      signals: Object.entries(signals).map(([t, v]) => ({ signal_type: nativeType(t)!, value: nativeValue(nativeType(t)!, v) })),
      metadata,
      note,
    });
    return { id: c.id, signals: signalsJson(c) };
  });

  r.post('/c/bank/:name/signal', { config: { permission: 'banks.write' }, schema: { response: { 200: HmaContentAdded } } }, async (req) => {
    const { name } = req.params as { name: string };
    await bankOf(req, name);
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new AllianceError('VALIDATION', 'the body must be a JSON object of signal type → hash');
    const { note: rawNote, ...rest } = body as Body;
    const note = checkNote(rawNote);
    if (Object.keys(rest).length === 0) throw new AllianceError('VALIDATION', 'No signals given');
    const signals = Object.entries(rest).map(([t, v]) => {
      const native = nativeType(t);
      if (!native) throw new AllianceError('SIGNAL_TYPE_UNKNOWN', `No such signal type ${t}`);
      if (typeof v !== 'string') throw new AllianceError('SIGNAL_MALFORMED', `Invalid ${t} signal: not a string`);
      return { signal_type: native, value: nativeValue(native, v) };
    });
    try {
      const c = await banks.addContent(req.principal, name, { signals, note });
      return { id: c.id, signals: signalsJson(c) };
    } catch (err) {
      if (err instanceof AllianceError && err.code === 'SIGNAL_MALFORMED') throw new AllianceError('SIGNAL_MALFORMED', `Invalid signal: ${err.message}`);
      throw err;
    }
  });

  r.get('/c/bank/:name/content/:id', { config: { permission: 'banks.read' }, schema: { response: { 200: HmaContent } } }, async (req) => {
    const { name, id } = req.params as { name: string; id: string };
    const q = req.query as Record<string, string | undefined>;
    const bank = await bankOf(req, name);
    const c = await contentIn(req, name, Number(id));
    const withMetadata = (q.include_metadata ?? 'true').toLowerCase() === 'true' && c.metadata;
    // Optional fields are absent (not null) when not asked for or not set, as HMA writes them.
    return {
      bank: bankJson(bank),
      disable_until_ts: toTs(c),
      id: c.id,
      original_media_uri: null,
      ...(withMetadata ? { metadata: { collab: null, content_id: null, content_uri: null, json: null, ...c.metadata } } : {}),
      ...(c.note !== null ? { note: c.note } : {}),
      ...((q.include_signals ?? '').toLowerCase() === 'true' ? { signals: signalsJson(c) } : {}),
    };
  });

  r.put('/c/bank/:name/content/:id', { config: { permission: 'banks.write' }, schema: { response: { 200: HmaContentUpdated } } }, async (req) => {
    const { name, id } = req.params as { name: string; id: string };
    const bank = await bankOf(req, name);
    await contentIn(req, name, Number(id));
    const body = objectBody(req.body);
    const c = await banks.updateContent(req.principal, Number(id), {
      ...(body.disable_until_ts !== undefined ? { disabled_until: fromTs(body.disable_until_ts) } : {}),
      ...('note' in body ? { note: checkNote(body.note) } : {}),
    });
    return {
      bank: bankJson(bank),
      collab_metadata: {},
      disable_until_ts: toTs(c),
      id: c.id,
      note: c.note,
      original_media_uri: null,
      user_metadata: c.metadata,
    };
  });

  r.delete('/c/bank/:name/content/:id', { config: { permission: 'banks.write' }, schema: { response: { 200: HmaDeleted } } }, async (req) => {
    const { name, id } = req.params as { name: string; id: string };
    await bankOf(req, name);
    const found = await contentIn(req, name, Number(id)).catch(() => undefined);
    if (!found) return { deleted: 0 };
    await banks.deleteContent(req.principal, found.id);
    return { deleted: 1 };
  });

  const ratioKey = (native: string) => `hma.signal_type.enabled_ratio.${native}`;
  r.get('/c/signal_type', { config: { permission: 'banks.read' }, schema: { response: { 200: HmaSignalTypeList } } }, async () => {
    const out: HmaSignalTypeList = [];
    for (const name of hmaSignalTypes()) {
      const stored = await getMeta(opts.store.db, ratioKey(nativeType(name)!));
      out.push({ enabled_ratio: stored === undefined ? 1.0 : Number(stored), name });
    }
    return out;
  });

  // HMA's per-type ratio: stored and listed. HMA's own rule counts a type enabled at any ratio ≥ 0,
  // so (as there) it changes no lookup.
  r.put('/c/signal_type/:name', { config: { permission: 'federation.manage' } }, async (req, reply) => {
    const { name } = req.params as { name: string };
    const body = objectBody(req.body);
    const raw = body.enabled_ratio;
    if (raw === undefined || raw === null) throw new AllianceError('VALIDATION', 'enabled_ratio is required');
    const ratio = pythonFloat(raw);
    if (ratio === undefined) throw new AllianceError('VALIDATION', `Invalid float: '${typeof raw === 'string' ? raw : JSON.stringify(raw)}'`);
    const native = nativeType(name);
    if (!native || !hmaSignalTypes().includes(name)) throw new AllianceError('SIGNAL_TYPE_UNKNOWN', `No such signal type '${name}'`);
    if (!(ratio >= 0 && ratio <= 1)) throw new AllianceError('VALIDATION', 'enabled_ratio must be from 0 to 1');
    await opts.store.db.transaction().execute(async (tx) => {
      await setMeta(tx, ratioKey(native), String(ratio));
      await opts.audit.record(tx, req.principal, 'hma.signal_type.update', name, { enabled_ratio: ratio });
    });
    // As HMA: 204, no body.
    void reply.status(204);
    return reply.send();
  });
  r.get('/c/content_type', { config: { permission: 'banks.read' }, schema: { response: { 200: HmaContentTypeList } } }, async () =>
    hmaContentTypes().map((name) => ({ enabled: true, name })),
  );
}
