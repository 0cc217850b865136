/**
 * Acceptance: two authority nodes (real processes on 127.0.0.1) share series status. A victim
 * identified on the owner's node updates the series on its peer and the alliance count exactly
 * once; the restricted notes never leave the owner; a peer cannot change a series it received.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDatabase } from '../support/dialects.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

const dirs: string[] = [];
type Node = ServerProcess & { dir: string; call: (method: string, path: string, body?: unknown) => ReturnType<typeof http> };

async function node(name: string, country: string, extra: NodeJS.ProcessEnv = {}): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), `alliance-series-${name}-`));
  dirs.push(dir);
  const s = await startServer([], {
    ALLIANCE_DATA_DIR: dir,
    ALLIANCE_MEMBER_NAME: name,
    ALLIANCE_MEMBER_KIND: 'authority',
    ALLIANCE_MEMBER_COUNTRY: country,
    ALLIANCE_SYNC_INTERVAL_MS: '0',
    ...extra,
  });
  return Object.assign(s, { dir, call: (method: string, path: string, body?: unknown) => http(`${s.url}${path}`, s.token, method, body) });
}

describe('series status shared between authorities', () => {
  let A: Node;
  let B: Node;
  let seriesId: number;
  let uid: string;

  beforeAll(async () => {
    [A, B] = await Promise.all([node('police-be', 'BE', { ALLIANCE_DATABASE_URL: await freshPgDatabase() }), node('bka-de', 'DE')]);
    const [a, b] = await Promise.all([A.call('GET', '/api/v1/identity'), B.call('GET', '/api/v1/identity')]);
    expect(
      (await A.call('POST', '/api/v1/peers', { name: 'bka-de', url: B.url, public_key: b.json.public_key, country: 'DE', kind: 'authority' })).status,
    ).toBe(201);
    expect(
      (await B.call('POST', '/api/v1/peers', { name: 'police-be', url: A.url, public_key: a.json.public_key, country: 'BE', kind: 'authority' })).status,
    ).toBe(201);
  });

  afterAll(async () => {
    await Promise.all([A, B].filter(Boolean).map((n) => n.stop('SIGKILL')));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const sync = async () => (await B.call('POST', '/api/v1/series/sync')).json.peers;

  it('a peer learns that a series exists, who owns it and its status — not its notes', async () => {
    const s = (
      await A.call('POST', '/api/v1/series', {
        name: 'Harbour',
        agency: 'Federal Police',
        contact_point: 'vid@police-be.example',
        notes: 'RESTRICTED-NOTE-7f3a',
      })
    ).json;
    [seriesId, uid] = [s.id, s.uid];
    expect(await sync()).toEqual([{ peer: 'police-be', series: 1 }]);
    const [copy] = (await B.call('GET', '/api/v1/series')).json.series;
    expect(copy).toMatchObject({
      uid,
      name: 'Harbour',
      own: false,
      status: 'unidentified',
      owner: { member: 'police-be', country: 'BE', agency: 'Federal Police', contact_point: 'vid@police-be.example' },
      notes: null,
    });
    for (const f of ['alliance.sqlite', 'alliance.sqlite-wal'])
      expect(existsSync(join(B.dir, f)) && readFileSync(join(B.dir, f)).includes('RESTRICTED-NOTE-7f3a'), f).toBe(false);
    const refused = await B.call('PATCH', `/api/v1/series/${copy.id}`, { status: 'closed' });
    expect([refused.status, refused.json.code]).toEqual([403, 'SERIES_NOT_OWNED']);
  });

  it("identifying a victim updates the peer's series and the alliance count exactly once", async () => {
    expect((await B.call('GET', '/api/v1/series/counts')).json).toEqual({ own: 0, alliance: 0, series: { own: 0, received: 1 } });
    const v = await A.call('POST', `/api/v1/series/${seriesId}/victims`, { identified_on: '2026-11-22' });
    expect(v.status).toBe(201);
    expect(await sync()).toEqual([{ peer: 'police-be', series: 1 }]);
    expect(await sync()).toEqual([{ peer: 'police-be', series: 0 }]); // nothing new: nothing counted twice
    const [copy] = (await B.call('GET', '/api/v1/series')).json.series;
    expect(copy).toMatchObject({ uid, status: 'victim_identified', victims_identified: 1, victim_identified_at: expect.any(String) });
    expect((await B.call('GET', '/api/v1/series/counts')).json).toEqual({ own: 0, alliance: 1, series: { own: 0, received: 1 } });
    expect((await A.call('GET', '/api/v1/series/counts')).json).toEqual({ own: 1, alliance: 1, series: { own: 1, received: 0 } });
    const detail = (await B.call('GET', `/api/v1/series/${copy.id}`)).json;
    expect(detail.victims).toEqual([{ id: expect.any(Number), uid: v.json.uid, identified_on: '2026-11-22', identified_by: 'police-be', referrals: [] }]);
  });

  it('a peer that is down leaves a clear error and changes nothing', async () => {
    const key = `ed25519:${Buffer.alloc(32, 9).toString('base64')}`;
    expect(
      (await B.call('POST', '/api/v1/peers', { name: 'offline-fr', url: 'http://127.0.0.1:9', public_key: key, country: 'FR', kind: 'authority' })).status,
    ).toBe(201);
    const peers = await sync();
    expect(peers.find((p: { peer: string }) => p.peer === 'offline-fr')).toMatchObject({
      series: 0,
      error: expect.stringMatching(/cannot reach peer offline-fr/),
    });
    expect((await B.call('GET', '/api/v1/series/counts')).json.alliance).toBe(1);
  });
});
