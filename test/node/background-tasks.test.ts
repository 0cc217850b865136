/**
 * The node's background tasks come from its services (backgroundTasks()), collected for its
 * configuration, and `alliance serve` runs what it is given (test/serve runs the real thing).
 * The legal sentence of a notice made from a confirmed review is the notice module's.
 */
import { describe, expect, it } from 'vitest';
import { confirmedMatchBasis } from '../../src/actions/notice-service.js';
import { atMostEvery, runBackgroundTasks } from '../../src/jobs/background.js';
import { openNode } from '../../src/node/node.js';
import { testConfig } from '../support/dialects.js';

async function tasksOf(flags: Record<string, string>) {
  const env = await testConfig('sqlite', flags);
  const node = await openNode(env.config);
  try {
    return node.backgroundTasks().map((t) => ({ name: t.name, intervalMs: t.intervalMs, everyProcess: t.everyProcess ?? false }));
  } finally {
    await node.close();
    env.cleanup();
  }
}

describe('background tasks', () => {
  it("a serving node runs its services' tasks on the configured intervals; only the index catch-up in every process", async () => {
    const tasks = await tasksOf({
      syncIntervalMs: '5000',
      actionsTickMs: '700',
      auditCheckpointMs: '9000',
      snapshotIntervalMs: '8000',
      pollIntervalMs: '300',
      deconflictionKey: 'ab'.repeat(32),
    });
    expect(tasks).toEqual([
      { name: 'index catch-up', intervalMs: 300, everyProcess: true },
      { name: 'sync', intervalMs: 5000, everyProcess: false },
      { name: 'exchange fetch', intervalMs: 5000, everyProcess: false },
      { name: 'series sync', intervalMs: 5000, everyProcess: false },
      { name: 'help directory sync', intervalMs: 5000, everyProcess: false },
      { name: 'deconfliction sync', intervalMs: 5000, everyProcess: false },
      { name: 'webhook delivery', intervalMs: 700, everyProcess: false },
      { name: 'takedown notices', intervalMs: 700, everyProcess: false },
      { name: 'retroactive matching', intervalMs: 700, everyProcess: false },
      { name: 'review media sweep', intervalMs: 700, everyProcess: false },
      { name: 'audit checkpoint', intervalMs: 9000, everyProcess: false },
      { name: 'snapshot', intervalMs: 8000, everyProcess: false },
    ]);
  });

  it('leaves out what is switched off (0) or not configured', async () => {
    const names = (await tasksOf({ syncIntervalMs: '0', auditCheckpointMs: '0', snapshotIntervalMs: '0' })).map((t) => t.name);
    expect(names).toEqual(['index catch-up', 'webhook delivery', 'takedown notices', 'retroactive matching', 'review media sweep']);
  });

  it("logs a failed round by the task's name and goes on; a throttled run runs at most once per period", async () => {
    const errors: string[] = [];
    let runs = 0;
    const stop = runBackgroundTasks(
      [
        {
          name: 'flaky',
          intervalMs: 10,
          run: async () => {
            runs++;
            throw new Error('down');
          },
        },
      ],
      { error: (_o, msg) => errors.push(msg) },
    );
    await expect.poll(() => runs).toBeGreaterThanOrEqual(2);
    stop();
    expect(errors[0]).toBe('flaky failed');
    let swept = 0;
    const sweep = atMostEvery(60_000, async () => swept++);
    await sweep();
    await sweep();
    expect(swept).toBe(1);
  });
});

describe("a notice's legal basis", () => {
  it('names the most serious match, its class and law, and who confirmed it', () => {
    const classification = { scheme: 'vics', value: '1', vics: 1, uk: 'A', industry: 'A1', legal: 'baseline' } as const;
    const m = { signal_type: 'pdq', content_id: 1, distance: 0, uid: null };
    expect(
      confirmedMatchBasis(
        [
          { ...m, bank: 'PLAIN', classification: null },
          { ...m, bank: 'CSAM', classification: classification as never },
        ],
        'hotline-fr',
      ),
    ).toBe('Matches known child sexual abuse material (CSAM, vics:1, baseline), confirmed by an analyst of hotline-fr.');
    expect(confirmedMatchBasis([], 'hotline-fr')).toBe('Matches known child sexual abuse material (a bank), confirmed by an analyst of hotline-fr.');
  });
});
