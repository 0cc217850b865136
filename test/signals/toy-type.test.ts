/**
 * Acceptance test of "matching and exchange code never special-case an algorithm": a toy
 * exact-match signal type, defined and registered here and nowhere else, is retro-matched,
 * triaged from a hash list, checked by the check API and compared by HMA's /m/compare — on both
 * databases, through the same code paths as the built-in types.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashListInputs } from '../../src/cases/triage.js';
import { AllianceError } from '../../src/errors/catalogue.js';
import { ExactIndex } from '../../src/index/exact-index.js';
import { recogniseType, registerSignalType } from '../../src/signals/registry.js';
import type { SignalType } from '../../src/signals/signal-type.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

/** "toy" and 8 hex digits; exact matching. */
const RE = /^toy[0-9a-f]{8}$/;
const normalize = (value: string): string => {
  const v = value.trim().toLowerCase();
  if (!RE.test(v)) throw new AllianceError('SIGNAL_MALFORMED', `toy must be "toy" and 8 hex digits, got "${value.slice(0, 40)}"`);
  return v;
};
const toySignal: SignalType = {
  name: 'toy',
  description: 'A toy exact-match type (tests only)',
  media: 'any',
  comparison: 'exact',
  defaultThreshold: 0,
  normalize,
  compare(a, b) {
    const match = normalize(a) === normalize(b);
    return { match, distance: match ? 0 : 1 };
  },
  async hash(input) {
    return {
      value: `toy${createHash('sha256')
        .update(input.bytes ?? input.path)
        .digest('hex')
        .slice(0, 8)}`,
    };
  },
  createIndex: () => new ExactIndex('toy'),
  restoreIndex: (snap) => ExactIndex.fromSnapshot(snap),
  retroMatch: 'value',
  recognise: (value) => RE.test(value.toLowerCase()),
  describe: (r) => (r.match ? 'same toy → match' : 'different toys → no match'),
  check: 'upload',
  hma: { name: 'toy', listed: false, distance: () => '-', compareDetail: (r) => ({ toy_distance: r.distance }) },
};

const KNOWN = 'toy0badcafe';
const OTHER = 'toy12345678';

describe.each(DIALECTS)('a toy signal type on %s', (dialect) => {
  let unregister: () => void;
  let api: TestApi;
  let dir: string;

  beforeAll(async () => {
    unregister = registerSignalType(toySignal);
    api = await startApi(dialect, { fetchAllowedHosts: '127.0.0.1:9' });
    dir = mkdtempSync(join(tmpdir(), 'alliance-toy-'));
  });

  afterAll(async () => {
    await api?.close();
    unregister?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is recognised, and every built-in guess is unchanged', () => {
    expect(recogniseType('TOY0BADCAFE')?.name).toBe('toy');
    expect(recogniseType('a'.repeat(64))?.name).toBe('pdq');
    expect(recogniseType('a'.repeat(32))?.name).toBe('md5');
  });

  it('is retro-matched: a bank gaining a toy value finds the earlier submission', async () => {
    const node = api.node;
    const admin = await node.members.authenticate(api.adminToken);
    expect(await node.retro.tick()).toBe(0); // takes its position
    await node.banks.createBank(admin, { name: 'TOYS' });
    await node.rules.create(admin, { name: 'review toys', conditions: { banks: ['TOYS'] }, actions: ['review'] });
    const before = await node.submissions.submit(admin, { signals: { toy: KNOWN }, source: 'upload', external_id: 'before' });
    const unrelated = await node.submissions.submit(admin, { signals: { toy: OTHER }, source: 'upload', external_id: 'unrelated' });
    expect([before.decision, unrelated.decision]).toEqual(['allow', 'allow']);
    await node.banks.addContent(admin, 'TOYS', { signals: [{ signal_type: 'toy', value: KNOWN }] });
    expect(await node.retro.tick()).toBe(1);
    const queue = await node.reviews.queue(admin);
    const item = queue.items.find((i) => i.submission_id === before.id);
    expect(item).toMatchObject({ reasons: [{ bank: 'TOYS', signal_type: 'toy', distance: 0 }] });
    expect(queue.items.some((i) => i.submission_id === unrelated.id)).toBe(false);
  });

  it('is triaged from a hash list (typed and bare lines)', async () => {
    const list = join(dir, 'hashes.txt');
    writeFileSync(list, `toy,${KNOWN}\n${OTHER}\n`);
    const inputs = [];
    for await (const i of hashListInputs(list)) inputs.push(i);
    expect(inputs.map((i) => i.signals)).toEqual([{ toy: KNOWN }, { toy: OTHER }]);
    const { run } = await api.node.triage.run(await api.node.operator(), { input: list, kind: 'hashes', caseNumber: '', out: join(dir, 'out'), inputs });
    expect(run.counts).toMatchObject({ known: 1, new: 1 });
  });

  it('is checked by the check API', async () => {
    const matcher = await api.tokenFor('matcher', 'platform-toy');
    const blocked = await api.call('POST', '/api/v1/check/upload', { toy: KNOWN }, matcher);
    expect(blocked.json(), blocked.body).toMatchObject({ action: 'block', matched: ['toy'] });
    expect((await api.call('POST', '/api/v1/check/upload', { toy: OTHER }, matcher)).json()).toMatchObject({ action: 'allow' });
    expect((await api.call('POST', '/api/v1/check/upload', { toy: 'nope' }, matcher)).json().code).toBe('SIGNAL_MALFORMED');
  });

  it("is compared by HMA's /m/compare, with its own detail", async () => {
    const r = await api.call('POST', '/m/compare', { toy: [KNOWN, KNOWN.toUpperCase()] });
    expect(r.json(), r.body).toEqual({ toy: [true, { toy_distance: 0 }] });
    expect((await api.call('POST', '/m/compare', { toy: [KNOWN, OTHER] })).json()).toEqual({ toy: [false, { toy_distance: 1 }] });
    // Not listed: HMA's signal type list is unchanged.
    expect((await api.call('GET', '/c/signal_type')).json().map((t: { name: string }) => t.name)).not.toContain('toy');
  });
});
