/**
 * A node remembers who it is: the member chosen at its first start is stored and used by every
 * later command without the environment that named it; another name is refused; kind and country
 * change only through `member update` (audited), and the node's services follow at once. A node
 * that the secretariat would refuse is told so when it builds or signs a country report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openNode } from '../../src/node/node.js';
import { runCli } from '../support/cli.js';
import { DIALECTS, testConfig } from '../support/dialects.js';
import { startApi } from '../support/api.js';

describe('the node identity through the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-self-'));
  const data = ['--data', join(dir, 'data')];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the member chosen at the first start', async () => {
    const first = await runCli(['identity', ...data], { env: { ALLIANCE_MEMBER_NAME: 'hotline-nl', ALLIANCE_MEMBER_KIND: 'hotline' } });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^member\s+hotline-nl$/m);
    // Later commands without the variables act as that member.
    const later = await runCli(['identity', ...data], { env: { ALLIANCE_MEMBER_NAME: '', ALLIANCE_MEMBER_KIND: '' } });
    expect(later.stdout).toMatch(/^member\s+hotline-nl$/m);
    expect(later.stdout).toMatch(/^kind\s+hotline$/m);
    const bank = await runCli(['bank', 'create', 'KNOWN', ...data]);
    expect(bank.code, bank.stderr).toBe(0);
    // The bank belongs to hotline-nl, the node's own member (id 1), and the audit log says who did it.
    expect((await runCli(['bank', 'list', '--json', ...data])).stdout).toMatch(/"owner_member_id": 1/);
    expect((await runCli(['audit', 'list', ...data])).stdout).toMatch(/cli:hotline-nl\tbank\.create\tKNOWN/);
    // Another name is refused, saying why; another kind is ignored, saying so.
    const renamed = await runCli(['identity', ...data], { env: { ALLIANCE_MEMBER_NAME: 'someone-else' } });
    expect(renamed.code).toBe(2);
    expect(renamed.stderr).toMatch(/this node is member "hotline-nl".*says "someone-else"/);
    const kind = await runCli(['identity', ...data], { env: { ALLIANCE_MEMBER_KIND: 'authority' } });
    expect(kind.code).toBe(0);
    expect(kind.stderr).toMatch(/ignoring kind authority .*stored: hotline/);
    expect(kind.stdout).toMatch(/^kind\s+hotline$/m);
    // Corrected explicitly, audited.
    const updated = await runCli(['member', 'update', 'hotline-nl', '--kind', 'authority', '--country', 'nl', ...data]);
    expect(updated.code, updated.stderr).toBe(0);
    expect((await runCli(['identity', ...data])).stdout).toMatch(/^country\s+NL$[\s\S]*^kind\s+authority$/m);
    expect((await runCli(['audit', 'list', ...data])).stdout).toMatch(/member\.update\thotline-nl/);
    expect((await runCli(['member', 'update', 'nobody', '--kind', 'ngo', ...data])).code).toBe(2);
  });
});

describe.each(DIALECTS)('the node identity on %s', (dialect) => {
  it('follows member update at once, and warns a node the secretariat would refuse', async () => {
    const api = await startApi(dialect, { memberName: 'platform-be', memberKind: 'platform' });
    try {
      expect((await api.call('GET', '/api/v1/identity')).json()).toMatchObject({ member: 'platform-be', kind: 'platform', country: null });
      const built = await api.call('POST', '/api/v1/country-reports', { period: '2026-Q3' });
      expect(built.statusCode, built.body).toBe(201);
      expect(built.json().warnings).toEqual([
        expect.stringMatching(/registered as a platform: .*national authorities/),
        expect.stringMatching(/has no country/),
      ]);
      const patched = await api.call('PATCH', '/api/v1/members/platform-be', { kind: 'authority', country: 'be' });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json()).toMatchObject({ kind: 'authority', country: 'BE' });
      // The running node's identity follows without a restart.
      expect((await api.call('GET', '/api/v1/identity')).json()).toMatchObject({ kind: 'authority', country: 'BE' });
      expect((await api.call('GET', '/api/v1/country-reports')).json().reports[0].warnings).toEqual([]);
      const [entry] = (await api.call('GET', '/api/v1/audit?action=member.update')).json().entries;
      expect(entry.detail).toEqual({ before: { kind: 'platform', country: null }, after: { kind: 'authority', country: 'BE' } });
      for (const body of [{}, { kind: 'pirate' }, { country: 'XX1' }])
        expect((await api.call('PATCH', '/api/v1/members/platform-be', body)).statusCode, JSON.stringify(body)).toBe(400);
      expect((await api.call('PATCH', '/api/v1/members/nobody', { kind: 'ngo' })).statusCode).toBe(404);
      // Reopened without the configuration that named it, the node is still platform-be, now an authority.
      await api.app.close();
      await api.node.close();
      const again = await openNode(loadConfig({ dataDir: api.env.dataDir, databaseUrl: api.env.config.databaseUrl, logLevel: 'silent' }, {}));
      try {
        expect(again.federation.self).toMatchObject({ name: 'platform-be', kind: 'authority', country: 'BE' });
      } finally {
        await again.close();
      }
    } finally {
      api.env.cleanup();
    }
  });

  it('names the node of an older version by its first member', async () => {
    const env = await testConfig(dialect, { memberName: 'police-de', memberKind: 'authority', memberCountry: 'DE' });
    const node = await openNode(env.config);
    await node.members.createMember(await node.operator(), { name: 'hotline-fr', kind: 'hotline', country: 'FR' });
    // As an older version left it: no stored identity.
    await node.store.db.deleteFrom('meta').where('key', '=', 'node_member').execute();
    await node.close();
    const reopened = await openNode(loadConfig({ dataDir: env.dataDir, databaseUrl: env.config.databaseUrl, logLevel: 'silent' }, {}));
    try {
      expect(reopened.federation.self).toMatchObject({ name: 'police-de', kind: 'authority', country: 'DE' });
    } finally {
      await reopened.close();
      env.cleanup();
    }
  });
});
