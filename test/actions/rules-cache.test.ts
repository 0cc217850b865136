/**
 * The rules a node keeps in memory (read again only when their version moved): a change made by
 * another process on the same database — a rule created, changed, removed, its webhook removed —
 * is what the next submission is ruled by.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/members/principal.js';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import { DIALECTS, testConfig, type TestEnv } from '../support/dialects.js';

const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';

describe.each(DIALECTS)('action rules in memory on %s', (dialect) => {
  let env: TestEnv;
  let serving: AllianceNode;
  let other: AllianceNode;
  let admin: Principal;
  let otherAdmin: Principal;

  beforeAll(async () => {
    env = await testConfig(dialect, { fetchAllowedHosts: '127.0.0.1:9' });
    serving = await openNode(env.config, { loadIndex: true });
    admin = await serving.members.authenticate(serving.firstAdminToken!);
    await serving.banks.createBank(admin, { name: 'KNOWN' });
    await serving.banks.addContent(admin, 'KNOWN', { signals: [{ signal_type: 'pdq', value: PDQ }], classification: 'industry:A1' });
    // Another process on the same database (the CLI, another serve process).
    other = await openNode(env.config);
    otherAdmin = await other.operator();
  });
  afterAll(async () => {
    await other?.close();
    await serving?.close();
    env.cleanup();
  });

  const decide = async () => (await serving.submissions.submit(admin, { signals: { pdq: PDQ } })).decision;

  it('rules each submission by the rules as they are, whoever changed them', async () => {
    expect(await decide()).toBe('allow');
    expect(await serving.rules.rules()).toEqual([]);
    const rule = await other.rules.create(otherAdmin, { name: 'hold known', conditions: { banks: ['KNOWN'] }, actions: ['review'] });
    expect(await decide()).toBe('review');
    await other.rules.update(otherAdmin, rule.id, { name: 'hold known', conditions: { banks: ['KNOWN'] }, actions: ['block'] });
    expect(await decide()).toBe('block');
    expect((await serving.rules.rules()).map((r) => r.actions)).toEqual([['block']]);
    await other.rules.addWebhook(otherAdmin, { name: 'ts', url: 'http://127.0.0.1:9/hook', secret: 'a-shared-secret-of-some-length' });
    await other.rules.update(otherAdmin, rule.id, { name: 'hold known', conditions: { banks: ['KNOWN'] }, actions: ['block', 'webhook'], webhook: 'ts' });
    expect((await serving.rules.rules()).map((r) => r.webhook)).toEqual(['ts']);
    await other.rules.removeWebhook(otherAdmin, 'ts');
    expect((await serving.rules.rules()).map((r) => r.webhook)).toEqual([null]);
    await other.rules.remove(otherAdmin, rule.id);
    expect(await decide()).toBe('allow');
    expect(await serving.rules.rules()).toEqual([]);
  });
});
