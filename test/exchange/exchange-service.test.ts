/**
 * The exchange extension point with an adapter defined only here (a toy remote held in memory):
 * pages applied with their checkpoint exactly once (a failure mid-fetch keeps what was applied
 * and resumes after it), a stale checkpoint starts over and converges, configuration and
 * credentials validated against the adapter's schemas, credentials sealed at rest and never in
 * the audit log, opinions on fetched content routed back through the adapter and recorded, and
 * the /api/v1 routes over the service.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import type { Entry } from '../../src/exchange/page.js';
import { registerExchangeApi, type ExchangeApi, type ExchangeOpinion } from '../../src/exchange/index.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

/** A remote of items id → value (null: deleted), changed by the tests; pages of 2 in id order. */
interface Toy {
  items: Map<number, { md5: string; tag: string } | null>;
  served: number[];
  failOnPage: number | null;
  opinions: Array<{ uid: string; opinion: ExchangeOpinion; reason: string | null; key: unknown }>;
}

function toyApi(toy: Toy): ExchangeApi<{ page_size: number }, { key: string }, { after: number; stale?: boolean }> {
  return {
    name: 'toy',
    description: 'an exchange held in memory by the test',
    configSchema: Type.Object({ page_size: Type.Integer({ minimum: 1, maximum: 10, default: 2 }) }, { additionalProperties: false }),
    credentialSchema: Type.Object({ key: Type.String({ minLength: 8 }) }, { additionalProperties: false }),
    readCheckpoint: (stored) => {
      const c = stored as { after?: unknown; stale?: boolean } | null;
      return c && typeof c.after === 'number' && !c.stale ? { after: c.after } : null;
    },
    checkpointTime: (c) => c.after * 1000,
    async *fetch(ctx, checkpoint) {
      if (!ctx.credentials?.key) throw new Error('no key');
      const ids = [...toy.items.keys()].sort((a, b) => a - b).filter((id) => id > (checkpoint?.after ?? 0));
      for (let i = 0; i < ids.length; i += ctx.config.page_size) {
        const page = ids.slice(i, i + ctx.config.page_size);
        toy.served.push(page[0]);
        if (toy.failOnPage === page[0]) throw new Error(`toy remote failed at ${page[0]}`);
        const deltas: Entry[] = page.map((id) => {
          const it = toy.items.get(id);
          return it === null || it === undefined
            ? { seq: 0, op: 'delete', uid: `toy/${id}` }
            : {
                seq: 0,
                op: 'upsert',
                uid: `toy/${id}`,
                signals: [{ type: 'md5', value: it.md5 }],
                classification: null,
                tags: [it.tag],
                first_seen: new Date(0).toISOString(),
                disabled: false,
                origin: { member: 'TOY', bank: 'toy' },
                chain: ['TOY'],
                note: null,
                metadata: { toy: { id } },
              };
        });
        yield { deltas, checkpoint: { after: page[page.length - 1] } };
      }
    },
    async sendOpinion(ctx, target, opinion, reason) {
      toy.opinions.push({ uid: target.uid, opinion, reason, key: ctx.credentials?.key });
      return { accepted: true, for: (target.metadata?.toy as { id: number }).id };
    },
  };
}

describe.each(DIALECTS)('exchanges on %s', (dialect) => {
  let api: TestApi;
  let toy: Toy;
  let unregister: () => void;

  beforeEach(async () => {
    toy = { items: new Map(), served: [], failOnPage: null, opinions: [] };
    for (let id = 1; id <= 6; id++) toy.items.set(id, { md5: hex(id, 32), tag: `t${id}` });
    unregister = registerExchangeApi(toyApi(toy));
    api = await startApi(dialect);
  });
  afterEach(async () => {
    await api.close();
    unregister();
  });

  const contents = async (bank: string) => {
    const r = await api.call('GET', `/api/v1/banks/${bank}/content?limit=100`);
    expect(r.statusCode).toBe(200);
    return (r.json() as { content: Array<{ id: number; tags: string[]; signals: Array<{ value: string }> }> }).content;
  };

  it('applies pages exactly once: a failure mid-fetch keeps what was applied, the next fetch resumes after it', async () => {
    const actor = await api.node.operator();
    await api.node.exchanges.setCredentials(actor, 'toy', { key: 'k-12345678' });
    await api.node.exchanges.create(actor, { name: 'TOY_X', api: 'toy' });
    toy.failOnPage = 3;
    const first = await api.node.exchanges.fetch('TOY_X');
    expect(first).toMatchObject({ pages: 1, added: 2, up_to_date: false, error_code: 'INTERNAL' });
    expect(first.error).toMatch(/toy remote failed at 3/);
    let status = await api.node.exchanges.status(actor, 'TOY_X');
    expect(status).toMatchObject({ fetched_items: 2, pages: 1, last_fetch_succeeded: false, up_to_date: false, checkpoint_ts: new Date(2000).toISOString() });
    toy.failOnPage = null;
    const second = await api.node.exchanges.fetch('TOY_X');
    expect(second).toMatchObject({ pages: 2, added: 4, up_to_date: true });
    expect(second.error).toBeUndefined();
    expect(toy.served).toEqual([1, 3, 3, 5]); // page 1 was never asked for again
    expect((await contents('TOY_X')).length).toBe(6);
    // changes at the remote: one deleted, one added; an incremental fetch sees only what is new
    toy.items.set(7, { md5: hex(7, 32), tag: 't7' });
    toy.items.set(8, null);
    toy.items.delete(2);
    const third = await api.node.exchanges.fetch('TOY_X');
    expect(third).toMatchObject({ pages: 1, added: 1, deleted: 0 });
    status = await api.node.exchanges.status(actor, 'TOY_X');
    expect(status).toMatchObject({ fetched_items: 8, pages: 4, last_fetch_succeeded: true, up_to_date: true, last_error: null });
    // the remote's lookups find the fetched values
    const look = await api.call('POST', '/api/v1/lookup', { signal_type: 'md5', signal: hex(7, 32) });
    expect(look.statusCode).toBe(200);
    expect(JSON.stringify(look.json())).toContain('TOY_X');
  });

  it('a stale checkpoint starts over from the beginning and the bank converges to the remote', async () => {
    const actor = await api.node.operator();
    await api.node.exchanges.setCredentials(actor, 'toy', { key: 'k-12345678' });
    await api.node.exchanges.create(actor, { name: 'TOY_S', api: 'toy', config: { page_size: 4 } });
    await api.node.exchanges.fetch('TOY_S');
    toy.items.set(3, { md5: hex(33, 32), tag: 'changed' });
    toy.items.set(4, null);
    toy.items.delete(6); // gone at the remote without a tombstone (its deletion expired there)
    // an incremental fetch misses changes behind the checkpoint; a full one does not
    expect(await api.node.exchanges.fetch('TOY_S')).toMatchObject({ pages: 0, restarted: false });
    const full = await api.node.exchanges.fetch('TOY_S', { full: true });
    expect(full).toMatchObject({ restarted: true, updated: 4, deleted: 2, up_to_date: true });
    const items = await contents('TOY_S');
    expect(items.map((i) => i.tags[0]).sort()).toEqual(['changed', 't1', 't2', 't5']);
    const gone = await api.call('POST', '/api/v1/lookup', { signal_type: 'md5', signal: hex(6, 32) });
    expect(JSON.stringify(gone.json())).not.toContain('TOY_S');
    // a refetch cut short by an error deletes nothing; the one that completes does
    toy.items.delete(5);
    toy.failOnPage = 1;
    expect(await api.node.exchanges.fetch('TOY_S', { full: true })).toMatchObject({ restarted: true, pages: 0, deleted: 0, up_to_date: false });
    expect((await contents('TOY_S')).length).toBe(4);
    toy.failOnPage = null;
    expect(await api.node.exchanges.fetch('TOY_S')).toMatchObject({ restarted: false, deleted: 1, up_to_date: true });
    expect((await contents('TOY_S')).map((i) => i.tags[0]).sort()).toEqual(['changed', 't1', 't2']);
    expect(items.find((i) => i.tags[0] === 'changed')!.signals[0].value).toBe(hex(33, 32));
  });

  it('validates configuration and credentials against the API, seals credentials and never audits or returns them', async () => {
    const actor = await api.node.operator();
    await expect(api.node.exchanges.create(actor, { name: 'TOY_BAD', api: 'toy', config: { page_size: 99 } })).rejects.toMatchObject({
      code: 'EXCHANGE_CONFIG_INVALID',
      message: expect.stringMatching(/page_size/),
    });
    await expect(api.node.exchanges.create(actor, { name: 'TOY_BAD', api: 'toy', config: { colour: 'red' } })).rejects.toMatchObject({
      code: 'EXCHANGE_CONFIG_INVALID',
      message: expect.stringMatching(/unknown field colour/),
    });
    await expect(api.node.exchanges.create(actor, { name: 'TOY_BAD', api: 'nope' })).rejects.toMatchObject({ code: 'EXCHANGE_API_UNKNOWN' });
    await expect(api.node.exchanges.setCredentials(actor, 'toy', { key: 'short' })).rejects.toMatchObject({ code: 'EXCHANGE_CONFIG_INVALID' });
    const bad = await api.call('PUT', '/api/v1/exchange-apis/toy/credentials', { credentials: { key: 'secret-value-1' } });
    expect(bad.statusCode).toBe(204);
    const stored = await api.node.store.db.selectFrom('exchange_credentials').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(stored[0].value).toMatch(/^enc1:/);
    expect(stored[0].value).not.toContain('secret-value-1');
    const apis = await api.call('GET', '/api/v1/exchange-apis');
    expect(apis.statusCode).toBe(200);
    expect(apis.body).not.toContain('secret-value-1');
    expect(apis.json().apis.find((a: { name: string }) => a.name === 'toy')).toMatchObject({ supports_credentials: true, has_credentials: true });
    const audit = await api.call('GET', '/api/v1/audit?limit=100');
    expect(audit.statusCode).toBe(200);
    expect(audit.body).toContain('exchange.credentials.set');
    expect(audit.body).not.toContain('secret-value-1');
    // no fetch without credentials: a clear error in the status, nothing applied
    await api.call('PUT', '/api/v1/exchange-apis/toy/credentials', { credentials: null });
    const created = await api.call('POST', '/api/v1/exchanges', { name: 'TOY_C', api: 'toy' });
    expect(created.statusCode).toBe(201);
    const r = await api.call('POST', '/api/v1/exchanges/TOY_C/fetch');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ pages: 0, error: expect.stringMatching(/no key/) });
    expect((await api.call('GET', '/api/v1/exchanges/TOY_C')).json().status).toMatchObject({
      last_fetch_succeeded: false,
      last_error: expect.stringMatching(/no key/),
    });
  });

  it('routes an opinion on fetched content back through its adapter and records the answer', async () => {
    const actor = await api.node.operator();
    await api.node.exchanges.setCredentials(actor, 'toy', { key: 'k-12345678' });
    await api.node.exchanges.create(actor, { name: 'TOY_O', api: 'toy' });
    await api.node.exchanges.fetch('TOY_O');
    const item = (await contents('TOY_O')).find((i) => i.tags[0] === 't4')!;
    const sent = await api.call('POST', `/api/v1/content/${item.id}/opinion`, { opinion: 'false_positive', reason: 'placeholder reason' });
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toEqual({ sent_to: 'TOY_O', uid: 'toy/4' });
    expect(toy.opinions).toEqual([{ uid: 'toy/4', opinion: 'false_positive', reason: 'placeholder reason', key: 'k-12345678' }]);
    const recorded = await api.call('GET', `/api/v1/content/${item.id}/exchange-opinions`);
    expect(recorded.statusCode).toBe(200);
    expect(recorded.json().opinions).toMatchObject([{ opinion: 'false_positive', status: 'sent', answer: { accepted: true, for: 4 }, error: null }]);
  });

  it('serves the exchanges over /api/v1 and deletes an exchange with its bank', async () => {
    await api.call('PUT', '/api/v1/exchange-apis/toy/credentials', { credentials: { key: 'k-12345678' } });
    expect((await api.call('POST', '/api/v1/exchanges', { name: 'TOY_A', api: 'toy', config: { page_size: 3 } })).statusCode).toBe(201);
    const dup = await api.call('POST', '/api/v1/exchanges', { name: 'TOY_A', api: 'toy' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('EXCHANGE_EXISTS');
    const list = await api.call('GET', '/api/v1/exchanges');
    expect(list.json().exchanges).toMatchObject([
      { name: 'TOY_A', api: 'toy', bank: 'TOY_A', enabled: true, config: { page_size: 3 }, status: { fetched_items: 0 } },
    ]);
    const off = await api.call('PATCH', '/api/v1/exchanges/TOY_A', { enabled: false });
    expect(off.json()).toMatchObject({ enabled: false });
    expect(await api.node.exchanges.fetchAll()).toEqual([]); // disabled: not fetched
    await api.call('PATCH', '/api/v1/exchanges/TOY_A', { enabled: true });
    expect((await api.call('POST', '/api/v1/exchanges/TOY_A/fetch')).json()).toMatchObject({ added: 6, pages: 2 });
    const reader = await api.tokenFor('analyst');
    expect((await api.call('DELETE', '/api/v1/exchanges/TOY_A', undefined, reader)).statusCode).toBe(403);
    expect((await api.call('DELETE', '/api/v1/exchanges/TOY_A')).statusCode).toBe(204);
    expect((await api.call('GET', '/api/v1/exchanges/TOY_A')).json().code).toBe('EXCHANGE_NOT_FOUND');
    expect((await api.call('GET', '/api/v1/banks/TOY_A')).statusCode).toBe(404);
    const look = await api.call('POST', '/api/v1/lookup', { signal_type: 'md5', signal: hex(1, 32) });
    expect(JSON.stringify(look.json())).not.toContain('TOY_A');
  });
});
