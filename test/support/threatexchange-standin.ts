/**
 * A stand-in for Meta ThreatExchange's Graph API (v21.0) on 127.0.0.1, following its published
 * shape: `GET /v21.0/{group}/threat_updates/` with `access_token`, `start_time` (inclusive, on
 * `last_updated`), `limit` and `fields` (only the top-level fields asked for are answered), paged
 * by absolute `paging.next` URLs carrying an `after` cursor, ordered by update time; tombstones
 * (`should_delete: true`) kept 90 days as the real API keeps them; `POST /v21.0/{descriptor}/`
 * with `reactions=` (recorded); `GET /v21.0/{app}/threat_privacy_groups_member`. A wrong token
 * gets the Graph error `{"error":{"message","type":"OAuthException","code":190}}` with HTTP 400
 * (as graph.facebook.com answers; `authStatus` switches it to 401). Tests change the data between
 * fetches (add, update, remove, tombstone expiry by moving the clock) and switch faults on.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface StandinDescriptor {
  id: string;
  owner: string;
  status: 'MALICIOUS' | 'NON_MALICIOUS' | 'SUSPICIOUS' | 'UNKNOWN';
  tags: string[];
  added_on: number;
  reactions?: Array<{ key: string; value: string }>;
  my_reactions?: string[];
}

export interface StandinIndicator {
  id: string;
  indicator: string;
  type: string;
  last_updated: number;
  should_delete: boolean;
  descriptors: StandinDescriptor[];
}

export type Fault =
  | { kind: 'none' }
  /** The next `count` threat_updates requests answer 503. */
  | { kind: '5xx'; count: number }
  | { kind: 'hang' }
  | { kind: 'malformed' }
  /** A streamed answer of `bytes` (no content-length). */
  | { kind: 'huge'; bytes: number }
  | { kind: 'content-type' }
  /** A first page whose `next` points at another host. */
  | { kind: 'foreign-next'; next: string }
  /** A page whose second update lacks its id. */
  | { kind: 'bad-update' };

export interface Reaction {
  descriptor_id: string;
  reactions: string | null;
  reactions_to_remove: string | null;
}

export interface RequestLog {
  method: string;
  path: string;
  query: Record<string, string>;
}

export const DAY = 24 * 3600;
const TOMBSTONE_KEPT = 90 * DAY;
const JSON_TYPE = 'application/json; charset=UTF-8';

export interface ThreatExchangeStandin {
  /** e.g. http://127.0.0.1:PORT/v21.0 (the adapter's base_url). */
  base: string;
  appId: string;
  token: string;
  group: string;
  /** The stand-in's clock, unix seconds (tests move it). */
  clock: number;
  authStatus: 400 | 401;
  fault: Fault;
  reactions: Reaction[];
  requests: RequestLog[];
  indicators: Map<string, StandinIndicator>;
  /** Adds an indicator (with one MALICIOUS descriptor by default) updated now; returns it. */
  add(
    type: string,
    indicator: string,
    opts?: { owner?: string; tags?: string[]; status?: StandinDescriptor['status']; descriptors?: StandinDescriptor[] },
  ): StandinIndicator;
  /** Changes an indicator and stamps it updated now. */
  update(id: string, change: (i: StandinIndicator) => void): void;
  /** Turns an indicator into a tombstone (should_delete) updated now. */
  remove(id: string): void;
  threatUpdateRequests(): RequestLog[];
  close(): Promise<void>;
}

let ids = 1_000_000_000;
const nextId = () => String(++ids);

export async function startThreatExchangeStandin(
  opts: { appId?: string; secret?: string; group?: string; clock?: number } = {},
): Promise<ThreatExchangeStandin> {
  const appId = opts.appId ?? '111122223333';
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const s: ThreatExchangeStandin = {
    base: '',
    appId,
    token: `${appId}|${opts.secret ?? 'standinsecret0123456789'}`,
    group: opts.group ?? '4242',
    clock: opts.clock ?? Math.floor(Date.now() / 1000),
    authStatus: 400,
    fault: { kind: 'none' },
    reactions: [],
    requests: [],
    indicators: new Map(),
    add(type, indicator, o = {}) {
      const i: StandinIndicator = {
        id: nextId(),
        indicator,
        type,
        last_updated: s.clock,
        should_delete: false,
        descriptors: o.descriptors ?? [
          { id: nextId(), owner: o.owner ?? '999900001111', status: o.status ?? 'MALICIOUS', tags: o.tags ?? ['tag_a'], added_on: s.clock },
        ],
      };
      s.indicators.set(i.id, i);
      return i;
    },
    update(id, change) {
      const i = s.indicators.get(id)!;
      change(i);
      i.last_updated = s.clock;
    },
    remove(id) {
      const i = s.indicators.get(id)!;
      i.should_delete = true;
      i.descriptors = [];
      i.last_updated = s.clock;
    },
    threatUpdateRequests: () => s.requests.filter((r) => r.path.endsWith('/threat_updates/') || r.path.endsWith('/threat_updates')),
    async close() {
      for (const r of hanging) r.destroy();
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const graphError = (res: ServerResponse, status: number, message: string, type: string, code: number) =>
    res.writeHead(status, { 'content-type': JSON_TYPE }).end(JSON.stringify({ error: { message, type, code, fbtrace_id: 'AStandinTrace' } }));
  const badToken = (res: ServerResponse) => graphError(res, s.authStatus, 'Invalid OAuth access token - Cannot parse access token', 'OAuthException', 190);

  const iso = (t: number) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000');
  const render = (i: StandinIndicator, fields: Set<string>) => {
    const out: Record<string, unknown> = { id: i.id };
    if (fields.has('indicator')) out.indicator = i.indicator;
    if (fields.has('type')) out.type = i.type;
    if (fields.has('last_updated')) out.last_updated = i.last_updated;
    if (fields.has('should_delete')) out.should_delete = i.should_delete;
    // The Graph API leaves the descriptors edge out when none is visible.
    if (fields.has('descriptors') && i.descriptors.length)
      out.descriptors = {
        data: i.descriptors.map((d) => ({
          id: d.id,
          owner: { id: d.owner },
          status: d.status,
          tags: d.tags,
          added_on: iso(d.added_on),
          reactions: d.reactions ?? [],
          my_reactions: d.my_reactions ?? [],
        })),
      };
    return out;
  };

  const threatUpdates = (req: IncomingMessage, res: ServerResponse, url: URL, group: string) => {
    if (group !== s.group)
      return graphError(
        res,
        400,
        `Unsupported get request. Object with ID '${group}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        'GraphMethodException',
        100,
      );
    const f = s.fault;
    if (f.kind === '5xx' && f.count > 0) {
      f.count--;
      return res.writeHead(503, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>');
    }
    if (f.kind === 'hang') return void hanging.add(res);
    if (f.kind === 'malformed') return res.writeHead(200, { 'content-type': JSON_TYPE }).end('{"data":[{"id":"1","indicator":');
    if (f.kind === 'content-type')
      return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body>Sorry, something went wrong.</body></html>');
    if (f.kind === 'huge') {
      res.writeHead(200, { 'content-type': JSON_TYPE });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      res.write('{"data":[');
      const pump = () => {
        while (sent < f.bytes) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end(']}');
      };
      res.on('error', () => undefined);
      return pump();
    }
    const q = url.searchParams;
    const start = q.has('start_time') ? Number(q.get('start_time')) : 0;
    const stop = q.has('stop_time') ? Number(q.get('stop_time')) : Infinity;
    const limit = Math.min(Math.max(Number(q.get('limit') ?? 25) || 25, 1), 1000);
    const fields = new Set(
      (q.get('fields') ?? 'id')
        .replace(/\{[^}]*\}/g, '')
        .split(',')
        .map((x) => x.trim()),
    );
    const key = (i: StandinIndicator) => `${String(i.last_updated).padStart(12, '0')}:${i.id.padStart(25, '0')}`;
    const after = q.get('after') ? Buffer.from(q.get('after')!, 'base64url').toString() : '';
    const visible = [...s.indicators.values()]
      .filter((i) => !(i.should_delete && s.clock - i.last_updated > TOMBSTONE_KEPT))
      .filter((i) => i.last_updated >= start && i.last_updated < stop)
      .sort((a, b) => (key(a) < key(b) ? -1 : 1))
      .filter((i) => key(i) > after);
    const page = visible.slice(0, limit);
    const body: Record<string, unknown> = { data: page.map((i) => render(i, fields)) };
    if (f.kind === 'bad-update' && page.length > 1) delete (body.data as Array<Record<string, unknown>>)[1].id;
    const cursor = page.length ? Buffer.from(key(page[page.length - 1])).toString('base64url') : '';
    if (page.length) {
      const paging: Record<string, unknown> = { cursors: { before: Buffer.from(key(page[0])).toString('base64url'), after: cursor } };
      if (visible.length > limit) {
        const next = new URL(`${s.base}/${group}/threat_updates/`);
        for (const [k, v] of q) if (k !== 'after') next.searchParams.set(k, v);
        next.searchParams.set('after', cursor);
        paging.next = next.toString();
      }
      if (f.kind === 'foreign-next') paging.next = f.next;
      body.paging = paging;
    }
    res.writeHead(200, { 'content-type': JSON_TYPE }).end(JSON.stringify(body));
  };

  const react = (res: ServerResponse, url: URL, form: URLSearchParams, id: string) => {
    const descriptor = [...s.indicators.values()].flatMap((i) => i.descriptors).find((d) => d.id === id);
    if (!descriptor) return graphError(res, 400, `Unsupported post request. Object with ID '${id}' does not exist.`, 'GraphMethodException', 100);
    const get = (k: string) => url.searchParams.get(k) ?? form.get(k);
    const r: Reaction = { descriptor_id: id, reactions: get('reactions'), reactions_to_remove: get('reactions_to_remove') };
    s.reactions.push(r);
    const mine = new Set(descriptor.my_reactions ?? []);
    for (const x of (r.reactions ?? '').split(',').filter(Boolean)) mine.add(x);
    for (const x of (r.reactions_to_remove ?? '').split(',').filter(Boolean)) mine.delete(x);
    descriptor.my_reactions = [...mine];
    res.writeHead(200, { 'content-type': JSON_TYPE }).end(JSON.stringify({ success: true }));
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      s.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams) });
      const m = /^\/v21\.0\/([^/]+)(?:\/([a-z_]+))?\/?$/.exec(url.pathname);
      if (!m) return graphError(res, 400, 'Unknown path components', 'OAuthException', 2500);
      const tokenGiven = url.searchParams.get('access_token') ?? form.get('access_token');
      if (tokenGiven !== s.token) return badToken(res);
      const [, id, edge] = m;
      if (req.method === 'GET' && edge === 'threat_updates') return threatUpdates(req, res, url, id);
      if (req.method === 'GET' && edge === 'threat_privacy_groups_member' && id === s.appId)
        return res
          .writeHead(200, { 'content-type': JSON_TYPE })
          .end(JSON.stringify({ data: [{ id: s.group, name: 'Stand-in group', members_can_see: true, members_can_use: true, threat_updates_enabled: true }] }));
      if (req.method === 'POST' && !edge) return react(res, url, form, id);
      return graphError(res, 400, `Unsupported ${req.method?.toLowerCase()} request.`, 'GraphMethodException', 100);
    });
  });
  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  s.base = `http://127.0.0.1:${port}/v21.0`;
  return s;
}
