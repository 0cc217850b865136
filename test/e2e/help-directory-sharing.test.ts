/**
 * The help directory over the federation: the secretariat (a real process on 127.0.0.1) curates
 * entries; a member node pulls its signed feed and gives those entries to its users through the
 * check API, as the publisher wrote them — placeholders are never sent, a removal reaches the
 * member, and the member cannot change what it received.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDatabase } from '../support/dialects.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

const dirs: string[] = [];
type Node = ServerProcess & { call: (method: string, path: string, body?: unknown) => ReturnType<typeof http> };

async function node(name: string, kind: string, country: string | null, extra: NodeJS.ProcessEnv = {}): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), `alliance-help-${name}-`));
  dirs.push(dir);
  const s = await startServer([], {
    ALLIANCE_DATA_DIR: dir,
    ALLIANCE_MEMBER_NAME: name,
    ALLIANCE_MEMBER_KIND: kind,
    ...(country ? { ALLIANCE_MEMBER_COUNTRY: country } : {}),
    ALLIANCE_SYNC_INTERVAL_MS: '0',
    ...extra,
  });
  return Object.assign(s, { call: (method: string, path: string, body?: unknown) => http(`${s.url}${path}`, s.token, method, body) });
}

describe('help directory shared by the secretariat', () => {
  let S: Node;
  let M: Node;
  beforeAll(async () => {
    [S, M] = await Promise.all([
      node('secretariat', 'secretariat', null),
      node('platform-fr', 'platform', 'FR', { ALLIANCE_DATABASE_URL: await freshPgDatabase() }),
    ]);
    const [s, m] = await Promise.all([S.call('GET', '/api/v1/identity'), M.call('GET', '/api/v1/identity')]);
    expect((await M.call('POST', '/api/v1/peers', { name: 'secretariat', url: S.url, public_key: s.json.public_key, kind: 'secretariat' })).status).toBe(201);
    expect(
      (await S.call('POST', '/api/v1/peers', { name: 'platform-fr', url: M.url, public_key: m.json.public_key, country: 'FR', kind: 'platform' })).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await Promise.all([S, M].filter(Boolean).map((n) => n.stop('SIGKILL')));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const sync = async () => (await M.call('POST', '/api/v1/help-directory/sync')).json.peers;
  const frHelp = async (audience: string) =>
    (await M.call('GET', `/api/v1/check/message?context=victim&audience=${audience}&country=FR&language=fr`)).json.help;

  it("a member's users get the secretariat's curated entries; placeholders never travel", async () => {
    const [placeholder] = (await S.call('GET', '/api/v1/help-directory?country=FR&kind=child_helpline')).json.entries;
    const filled = await S.call('PATCH', `/api/v1/help-directory/${placeholder.id}`, {
      name: 'Example child helpline FR',
      languages: ['fr'],
      hours: '24/7',
      channels: [{ type: 'phone', value: '+33 0 00 00 00 00' }],
    });
    expect(filled.json, filled.text).toMatchObject({ status: 'curated', uid: `secretariat/help/${placeholder.id}` });
    const added = await S.call('POST', '/api/v1/help-directory', {
      country: 'FR',
      kind: 'victim_support',
      name: 'Example victim support FR',
      languages: ['fr'],
      channels: [{ type: 'web', value: 'https://victims.example/fr' }],
    });
    expect(added.status, added.text).toBe(201);
    expect(await sync()).toEqual([{ peer: 'secretariat', entries: 2 }]);
    expect(await sync()).toEqual([{ peer: 'secretariat', entries: 0 }]);
    const fr = (await M.call('GET', '/api/v1/help-directory?country=FR')).json.entries;
    expect(
      fr
        .filter((e: { source: string | null }) => e.source === 'secretariat')
        .map((e: { name: string; status: string }) => [e.name, e.status])
        .sort(),
    ).toEqual([
      ['Example child helpline FR', 'curated'],
      ['Example victim support FR', 'curated'],
    ]);
    expect(fr.filter((e: { status: string }) => e.status === 'placeholder')).toHaveLength(5); // the member's own, untouched
    expect((await frHelp('child')).map((h: { name: string; fallback: boolean }) => [h.name, h.fallback])).toEqual([
      ['Example child helpline FR', false],
      ['Example victim support FR', false],
    ]);
    const received = fr.find((e: { source: string | null }) => e.source === 'secretariat');
    const refused = await M.call('PATCH', `/api/v1/help-directory/${received.id}`, { name: 'changed' });
    expect([refused.status, refused.json.code]).toEqual([409, 'HELP_ENTRY_RECEIVED']);
  });

  it('a change and a removal at the secretariat reach the member', async () => {
    const entries = (await S.call('GET', '/api/v1/help-directory?country=FR')).json.entries;
    const support = entries.find((e: { name: string }) => e.name === 'Example victim support FR');
    const helpline = entries.find((e: { name: string }) => e.name === 'Example child helpline FR');
    expect((await S.call('PATCH', `/api/v1/help-directory/${helpline.id}`, { hours: 'Mon–Fri 9–18' })).status).toBe(200);
    expect((await S.call('DELETE', `/api/v1/help-directory/${support.id}`)).status).toBe(204);
    expect(await sync()).toEqual([{ peer: 'secretariat', entries: 2 }]);
    const help = await frHelp('child');
    expect(help.map((h: { name: string; hours: string | null; fallback: boolean }) => [h.name, h.hours, h.fallback])).toEqual([
      ['Example child helpline FR', 'Mon–Fri 9–18', false],
      [expect.stringMatching(/Take It Down/), null, true], // victim support: back to the international entry
    ]);
    expect((await M.call('GET', '/api/v1/help-directory?country=FR')).json.entries.some((e: { name: string }) => e.name === 'Example victim support FR')).toBe(
      false,
    );
  });

  it("a member's entries count for its own country only; international ones come from the secretariat alone", async () => {
    for (const [country, name] of [
      ['FR', 'Example FR police portal'],
      ['DE', 'Not for a FR platform to say'],
      ['ZZ', 'Not for a member to say'],
    ]) {
      const r = await M.call('POST', '/api/v1/help-directory', { country, kind: 'police', name, channels: [{ type: 'web', value: 'https://police.example' }] });
      expect(r.status, r.text).toBe(201);
    }
    // The member publishes its FR and DE entries (never its ZZ one); the secretariat keeps only FR.
    expect((await S.call('POST', '/api/v1/help-directory/sync')).json.peers).toEqual([{ peer: 'platform-fr', entries: 1, skipped: 1 }]);
    const received = (await S.call('GET', '/api/v1/help-directory?kind=police')).json.entries.filter(
      (e: { source: string | null }) => e.source === 'platform-fr',
    );
    expect(received.map((e: { country: string; name: string }) => [e.country, e.name])).toEqual([['FR', 'Example FR police portal']]);
  });
});
