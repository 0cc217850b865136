/**
 * Acceptance: two authority nodes in two countries (real processes on 127.0.0.1) register cases
 * with one common username written differently (`John.Doe` vs `john.doe `) and one common series;
 * both receive an alert with the other's contact point. A third node, peer of both, receives
 * their keyed targets and learns nothing it can reverse: its database holds keyed hashes only.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDatabase } from '../support/dialects.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

const KEY = 'c0ffee'.repeat(11); // 33 bytes, the alliance-wide key every member configures
const dirs: string[] = [];
type Node = ServerProcess & { name: string; dir: string; call: (method: string, path: string, body?: unknown) => ReturnType<typeof http> };

async function node(name: string, country: string, extra: NodeJS.ProcessEnv = {}): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), `alliance-dc-${name}-`));
  dirs.push(dir);
  const s = await startServer([], {
    ALLIANCE_DATA_DIR: dir,
    ALLIANCE_MEMBER_NAME: name,
    ALLIANCE_MEMBER_KIND: 'authority',
    ALLIANCE_MEMBER_COUNTRY: country,
    ALLIANCE_SYNC_INTERVAL_MS: '0',
    ALLIANCE_DECONFLICTION_KEY: KEY,
    ...extra,
  });
  return Object.assign(s, { name, dir, call: (method: string, path: string, body?: unknown) => http(`${s.url}${path}`, s.token, method, body) });
}

describe('deconfliction between nodes', () => {
  let A: Node;
  let B: Node;
  let C: Node;

  beforeAll(async () => {
    [A, B, C] = await Promise.all([node('police-nl', 'NL'), node('bka-de', 'DE', { ALLIANCE_DATABASE_URL: await freshPgDatabase() }), node('police-fr', 'FR')]);
    const ids = await Promise.all([A, B, C].map(async (n) => ({ n, id: (await n.call('GET', '/api/v1/identity')).json })));
    for (const { n } of ids)
      for (const { n: o, id } of ids)
        if (o !== n)
          expect(
            (await n.call('POST', '/api/v1/peers', { name: id.member, url: o.url, public_key: id.public_key, country: id.country, kind: id.kind })).status,
          ).toBe(201);
  });

  afterAll(async () => {
    await Promise.all([A, B, C].filter(Boolean).map((n) => n.stop('SIGKILL')));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('both case owners are alerted, with each other’s contact point', async () => {
    const a = (await A.call('POST', '/api/v1/cases', { reference: 'NL-17', contact_point: 'team-nl@police.example' })).json;
    const b = (await B.call('POST', '/api/v1/cases', { reference: 'DE-4', contact_point: 'team-de@bka.example' })).json;
    expect(
      (
        await A.call('POST', `/api/v1/cases/${a.id}/targets`, {
          targets: [
            { kind: 'username', value: 'John.Doe' },
            { kind: 'series', value: 'police-be/series/12' },
            { kind: 'email', value: 'only-nl@example.org' },
          ],
        })
      ).json.alerts,
    ).toBe(0);
    expect(
      (
        await B.call('POST', `/api/v1/cases/${b.id}/targets`, {
          targets: [
            { kind: 'username', value: 'john.doe ' },
            { kind: 'series', value: 'POLICE-BE/series/12' },
            { kind: 'phone', value: '+49 30 1111111' },
          ],
        })
      ).json.alerts,
    ).toBe(0);
    const [fromA, fromB] = [await B.call('POST', '/api/v1/deconfliction/sync'), await A.call('POST', '/api/v1/deconfliction/sync')];
    expect(fromA.json.peers.find((p: { peer: string }) => p.peer === 'police-nl')).toMatchObject({ targets: 3, alerts: 2 });
    expect(fromB.json.peers.find((p: { peer: string }) => p.peer === 'bka-de')).toMatchObject({ targets: 3, alerts: 2 });
    const alerts = async (n: Node) =>
      (await n.call('GET', '/api/v1/deconfliction/alerts')).json.alerts
        .map((x: Record<string, string>) => [x.case, x.kind, x.other_case, x.other_member, x.other_contact])
        .sort();
    expect(await alerts(A)).toEqual([
      [a.uid, 'series', b.uid, 'bka-de', 'team-de@bka.example'],
      [a.uid, 'username', b.uid, 'bka-de', 'team-de@bka.example'],
    ]);
    expect(await alerts(B)).toEqual([
      [b.uid, 'series', a.uid, 'police-nl', 'team-nl@police.example'],
      [b.uid, 'username', a.uid, 'police-nl', 'team-nl@police.example'],
    ]);
    // Pulling again raises nothing new.
    expect((await A.call('POST', '/api/v1/deconfliction/sync')).json.peers.find((p: { peer: string }) => p.peer === 'bka-de')).toMatchObject({
      targets: 0,
      alerts: 0,
    });
  });

  it('the third node holds keyed hashes only: nothing it can reverse', async () => {
    const synced = (await C.call('POST', '/api/v1/deconfliction/sync')).json.peers;
    expect(synced.map((p: { targets: number }) => p.targets).reduce((x: number, y: number) => x + y, 0)).toBe(6);
    expect((await C.call('GET', '/api/v1/deconfliction/alerts')).json.alerts).toEqual([]);
    expect((await C.call('GET', '/api/v1/cases')).json.cases).toEqual([]); // received cases are not its own
    for (const f of ['alliance.sqlite', 'alliance.sqlite-wal']) {
      const bytes = existsSync(join(C.dir, f)) ? readFileSync(join(C.dir, f)).toString('latin1').toLowerCase() : '';
      // Whole identifiers only: a three-letter string like "doe" turns up by chance in a few MB of
      // random keys and tokens (it did, once in CI).
      for (const secret of ['john.doe', 'only-nl', 'police-be/series', '1111111', 'j…e']) expect(bytes.includes(secret), `${f} holds "${secret}"`).toBe(false);
    }
  });
});
