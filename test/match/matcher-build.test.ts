/**
 * Building the index from the database holds no write lock: on SQLite a second serve worker or a
 * CLI import writing meanwhile is not refused with "database is locked" (a 10 M build takes
 * minutes; SQLite's busy timeout is 5 s), and the build sees one committed state.
 */
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Matcher } from '../../src/match/matcher.js';
import { openNode } from '../../src/node/node.js';
import { testConfig, type TestEnv } from '../support/dialects.js';

const envs: TestEnv[] = [];
afterEach(() => envs.splice(0).forEach((e) => e.cleanup()));

describe('the matcher’s build from the database', () => {
  it('takes no write lock: it completes while another connection holds SQLite’s write lock', async () => {
    const env = await testConfig('sqlite');
    envs.push(env);
    const node = await openNode(env.config);
    try {
      const actor = await node.operator();
      await node.banks.createBank(actor, { name: 'BUILD' });
      const added = await node.banks.addContent(actor, 'BUILD', { signals: [{ signal_type: 'md5', value: 'a'.repeat(32) }] });
      // Another process's writer, in the middle of its transaction (a CLI import, another worker).
      const other = new SQLite(join(env.dataDir, 'alliance.sqlite'));
      other.pragma('busy_timeout = 100');
      other.exec('begin immediate');
      try {
        const matcher = new Matcher(node.store, join(env.dataDir, 'index-test'));
        await matcher.load();
        expect(matcher.status()).toMatchObject({ ready: true, loadedFrom: 'database', types: { md5: { size: 1 } } });
        expect((await matcher.query('md5', 'a'.repeat(32), 0)).map((m) => m.id)).toEqual([added.signals[0].id]);
        await matcher.close();
      } finally {
        other.exec('rollback');
        other.close();
      }
    } finally {
      await node.close();
    }
  });
});
