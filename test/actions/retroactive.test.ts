/**
 * Retroactive matching on both databases: content submitted before a bank knew it (kept as
 * hashes only) is matched when the bank gains the signal — exact and near (PDQ) — and acted on
 * once: a review item without media (one per content), a webhook delivery; videos by vPDQ too. Content submitted
 * after is matched at once, not again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/members/principal.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import { DIALECTS, testConfig, type TestEnv } from '../support/dialects.js';
import { VIDEOS } from '../support/paths.js';

const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const PDQ_NEAR = 'd8f8f0cee0f4a84f0637022a038f67f0b36e2ed596631e1d33e6339c4e9c9b22'; // 2 bits off
const FAR = 'e4cc89d91c623842f8d1f1d9a398e78c9f199a3bf87925f2b7e11e0bf061b064';
const MD5 = '0123456789abcdef0123456789abcdef';

describe.each(DIALECTS)('retroactive matching on %s', (dialect) => {
  let env: TestEnv;
  let node: AllianceNode;
  let admin: Principal;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    env = await testConfig(dialect, { fetchAllowedHosts: '127.0.0.1:9' });
    node = await openNode(env.config, { loadIndex: true });
    admin = await node.members.authenticate(node.firstAdminToken!);
    expect(await node.retro.tick()).toBe(0); // takes its position
    await node.banks.createBank(admin, { name: 'LATER' });
    await node.rules.addWebhook(admin, { name: 'platform', url: 'http://127.0.0.1:9/hook', secret: 'a-secret-of-enough-length' });
    await node.rules.create(admin, { name: 'review what banks learn', conditions: { banks: ['LATER'] }, actions: ['review', 'webhook'], webhook: 'platform' });
    for (const [name, signals] of [
      ['near', { pdq: PDQ_NEAR }],
      ['exact', { md5: MD5 }],
      ['far', { pdq: FAR }],
    ] as const) {
      const s = await node.submissions.submit(admin, { signals, source: 'upload', external_id: name });
      expect(s.decision).toBe('allow');
      ids[name] = s.id;
    }
  });

  afterAll(async () => {
    await node?.close();
    env?.cleanup();
  });

  it('acts on earlier content once the bank gains a matching signal, once', async () => {
    await node.banks.addContent(admin, 'LATER', { signals: [{ signal_type: 'pdq', value: PDQ }], classification: 'industry:A1' });
    await node.banks.addContent(admin, 'LATER', { signals: [{ signal_type: 'md5', value: MD5 }] });
    const after = await node.submissions.submit(admin, { signals: { md5: MD5 }, external_id: 'after' }); // matched at once, not retroactively
    expect(after.decision).toBe('review');
    expect(await node.retro.tick()).toBe(2);
    const queue = await node.reviews.queue(admin);
    const bySubmission = new Map(queue.items.map((i) => [i.submission_id, i]));
    expect(bySubmission.get(ids.near)).toMatchObject({ media: false, reasons: [{ bank: 'LATER', signal_type: 'pdq', distance: 2 }] });
    // The same MD5 content, submitted again after the bank knew it, is under review already: one review per content.
    expect(bySubmission.has(ids.exact)).toBe(false);
    expect(bySubmission.get(after.id)).toMatchObject({ reasons: [{ bank: 'LATER', signal_type: 'md5', distance: 0 }] });
    expect(bySubmission.has(ids.far)).toBe(false);
    const events = (await node.webhooks.deliveries(admin))
      .map((d) => [d.event, (d.payload as { submission: { external_id: string } }).submission.external_id])
      .sort();
    expect(events).toEqual([
      ['match', 'after'],
      ['match.retroactive', 'exact'],
      ['match.retroactive', 'near'],
    ]);
    // Once only: the position moved on, and a re-match of the same submission finds nothing new.
    expect(await node.retro.tick()).toBe(0);
    expect(await node.submissions.retroMatch(ids.near)).toBe(false);
    expect((await node.reviews.queue(admin)).pending).toBe(2);
  });

  it('matches earlier videos by vPDQ once the bank gains their frames (through an index of submitted frames)', async () => {
    const vpdq = readFileSync(join(VIDEOS, 'pattern-sd-grey-bar.vpdq.txt'), 'utf8');
    const earlier = await node.submissions.submit(admin, { signals: { vpdq }, source: 'upload', external_id: 'video' });
    expect(earlier.decision).toBe('allow');
    await node.banks.addContent(admin, 'LATER', { signals: [{ signal_type: 'vpdq', value: vpdq }] });
    expect(await node.retro.tick()).toBe(1);
    const item = (await node.reviews.queue(admin)).items.find((i) => i.submission_id === earlier.id);
    expect(item).toMatchObject({ media: false, reasons: [{ bank: 'LATER', signal_type: 'vpdq', distance: 0 }] });
  });
});
