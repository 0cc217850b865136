/**
 * Acceptance: a real `alliance serve` fetching an NCMEC exchange is killed (SIGKILL) while the
 * remote holds page 2 of the window; restarted, it resumes at page 2 — page 1 is not asked for
 * again — and ends with every entry once, the deletions applied, and page and item counts that
 * show no page applied twice.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openNode } from '../../src/node/node.js';
import { testConfig, type TestEnv } from '../support/dialects.js';
import { seed, startNcmecStandin, type NcmecStandin } from '../support/ncmec-standin.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { until } from '../support/until.js';

const EPOCH = '1970-01-01T00:00:00Z';
const FINAL = ['ncmec/101/video/willupdate', 'ncmec/42/image/image1', 'ncmec/42/image/image10', 'ncmec/42/video/video1', 'ncmec/44/image/img-pdq'];

describe('an NCMEC fetch killed mid-window', () => {
  let env: TestEnv;
  let standin: NcmecStandin;
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await standin?.close();
    env?.cleanup();
  });

  const read = <T>(sqlText: string): T[] => {
    const db = new Database(join(env.dataDir, 'alliance.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sqlText).all() as T[];
    } finally {
      db.close();
    }
  };
  type Row = {
    checkpoint: string | null;
    pages: number;
    items_fetched: number;
    unmatchable: number;
    fetch_succeeded: number | null;
    last_error: string | null;
  };
  const exchange = () => read<Row>("select checkpoint, pages, items_fetched, unmatchable, fetch_succeeded, last_error from exchanges where name = 'NCMEC'")[0];
  const uids = () =>
    read<{ uid: string }>("select c.uid from bank_content c join banks b on b.id = c.bank_id where b.name = 'NCMEC' order by c.uid").map((r) => r.uid);

  it('resumes at the held page and applies every page exactly once', async () => {
    standin = await startNcmecStandin({ pageSize: 4 });
    seed(standin);
    env = await testConfig('sqlite', { memberName: 'esp-test' });
    const node = await openNode(env.config);
    const admin = await node.operator();
    await node.exchanges.setCredentials(admin, 'ncmec', { user: standin.user, password: standin.password });
    await node.exchanges.create(admin, { name: 'NCMEC', api: 'ncmec', config: { base_url: standin.url } });
    await node.close();

    const serveEnv = { ALLIANCE_DATA_DIR: env.dataDir, ALLIANCE_MEMBER_NAME: 'esp-test', ALLIANCE_SYNC_INTERVAL_MS: '200', ALLIANCE_SYNC_TIMEOUT_MS: '60000' };
    const held = standin.hold(2);
    server = await startServer([], serveEnv);
    await held; // the scheduled fetch asked for page 2 (while applying page 1) and waits for it
    const mid = await until(() => (exchange().pages === 1 ? exchange() : undefined), 'page 1 to be applied');
    expect(mid).toMatchObject({ pages: 1, items_fetched: 4 });
    expect(JSON.parse(mid.checkpoint!)).toMatchObject({ from: 0, paging: { next: expect.stringMatching(/start=5&size=4/) } });
    expect(uids()).toEqual(['ncmec/42/image/image1', 'ncmec/42/video/video1']);

    await server.stop('SIGKILL');
    server = undefined;
    standin.release(); // the held answer goes to a dead client
    expect(exchange().checkpoint).toBe(mid.checkpoint);

    server = await startServer([], serveEnv);
    await until(() => (exchange().fetch_succeeded === 1 ? true : undefined), 'the resumed fetch to finish');
    await server.stop('SIGTERM');
    server = undefined;

    const first = standin.entryRequests().filter((r) => r.query.from === EPOCH);
    // Page 1 once; page 2 twice (the held request, then the resumed one); page 3 once.
    expect(first.map((r) => r.page)).toEqual([1, 2, 2, 3]);
    expect(uids()).toEqual(FINAL); // each once: uids are unique per bank, and the count is exact
    const end = exchange();
    expect(end).toMatchObject({ items_fetched: 10, unmatchable: 1, last_error: null });
    // Every applied page is counted once: the 3 of the first window; the later windows are empty
    // (asked for once each, each moving the checkpoint) and no page.
    const later = standin.entryRequests().filter((r) => r.query.from !== EPOCH);
    expect(later.every((r) => r.page === 1)).toBe(true);
    expect(end.pages).toBe(3);
    expect(JSON.parse(end.checkpoint!).paging).toBeUndefined();
    expect(
      read<{ n: number }>(
        "select count(*) as n from signals s join bank_content c on c.id = s.content_id join banks b on b.id = c.bank_id where b.name = 'NCMEC'",
      )[0].n,
    ).toBe(2 + 2 + 2 + 1 + 2);
  });
});
