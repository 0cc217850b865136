/**
 * Opening the store: SQLite (better-sqlite3, the embedded default, a file under the data
 * directory, WAL, fsync on commit) or PostgreSQL (`ALLIANCE_DATABASE_URL`), behind one Kysely
 * instance, with migrations run on open. PostgreSQL adds LISTEN/NOTIFY so several matcher
 * processes follow each other's writes.
 */
import { chmodSync, closeSync, openSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { FILE_MODE, privateDir } from './data-dir.js';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Driver,
  type Migration,
  type MigrationProvider,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { AllianceError } from '../errors/catalogue.js';
import { initial } from './migrations/0001-initial.js';
import { federation } from './migrations/0002-federation.js';
import { signalTypeIndex } from './migrations/0003-signal-type-index.js';
import { actions } from './migrations/0004-actions.js';
import { reportsNotices } from './migrations/0005-reports-notices.js';
import { cases } from './migrations/0006-cases.js';
import { seriesFeed } from './migrations/0007-series-feed.js';
import { deconfliction } from './migrations/0008-deconfliction.js';
import { sharedTargets } from './migrations/0009-shared-targets.js';
import { triage } from './migrations/0010-triage.js';
import { reporting } from './migrations/0011-reporting.js';
import { helpDirectory } from './migrations/0012-help-directory.js';
import { messages } from './migrations/0013-messages.js';
import { helpFeed } from './migrations/0014-help-feed.js';
import { hardening } from './migrations/0015-hardening.js';
import { refusalsAndKeys } from './migrations/0016-refusals-and-keys.js';
import { trueInputs } from './migrations/0017-true-inputs.js';
import { exchanges } from './migrations/0018-exchanges.js';
import { cybertipline } from './migrations/0019-cybertipline.js';
import { exchangeSuccess } from './migrations/0020-exchange-success.js';
import { operations } from './migrations/0021-operations.js';
import { cybertiplineAuthority } from './migrations/0022-cybertipline-authority.js';
import { exchangeRejected } from './migrations/0023-exchange-rejected.js';
import { subscriptionPaused } from './migrations/0025-subscription-paused.js';
import { leadPackages } from './migrations/0027-lead-packages.js';
import { leadForwards } from './migrations/0028-lead-forwards.js';
import { caseTargetLookup } from './migrations/0029-case-target-lookup.js';
import { leadPackageLists } from './migrations/0030-lead-package-lists.js';
import { submissionContents } from './migrations/0031-submission-contents.js';
import { FALLBACK_AUTOCHECKPOINT, startCheckpointer, type Checkpointer } from './checkpointer.js';
import type { Database } from './schema.js';
import { GroupCommit, type GroupInputs } from './group-commit.js';
import { startSubmissionGroup } from './submissions-repo.js';
import { preparedName } from './util.js';

export type DialectName = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

export interface StoreOptions {
  dataDir: string;
  /** postgres://… switches to PostgreSQL; otherwise SQLite at DATA_DIR/alliance.sqlite. */
  databaseUrl?: string;
  /** SQLite: checkpoint the WAL on a thread of its own, not in the commits (servers: see checkpointer.ts). */
  backgroundCheckpoint?: boolean;
}

export interface Store {
  readonly db: Db;
  readonly dialect: DialectName;
  /** Human-readable location (file path or URL without password). */
  readonly location: string;
  /**
   * Runs `work` without waiting for the disk on commit (SQLite WAL: synchronous NORMAL — safe
   * against a crash of the process, not of the machine). For lookup audit batches only: `work`
   * gets the one connection, held for its duration, so no other write commits under the relaxed
   * setting; every other write keeps waiting for the disk.
   */
  relaxedDurability<T>(work: (db: Db) => Promise<T>): Promise<T>;
  /**
   * Runs a fixed query prepared once (hot paths only: Kysely compiles every query it runs), each
   * row an array of its columns in the select's order: no object a row (SQLite, the 28 columns of
   * a match context: 8.5 against 4.8 µs a row, measured 2026-12-07). `text` uses `?` placeholders
   * on SQLite and `$1…` on PostgreSQL.
   */
  rawRows(name: string, text: string, params: unknown[]): Promise<unknown[][]>;
  /**
   * Runs `work` in a transaction that concurrent writes may share (group commit, one commit for
   * the group, a write that fails rolled back alone — store/group-commit.ts; SQLite: the WAL fsynced
   * off the event loop, one fsync for the groups committed meanwhile). Settles after the commit is
   * on disk. For hot write paths (submissions) whose work only reads and writes through `tx`: a
   * group may run again (after a write failed, or PostgreSQL found a deadlock). `locks`: keys the
   * group locks for the write at its start, `reads` the signal ids whose match contexts it reads
   * there for the write (PostgreSQL: see GroupCommit.run).
   */
  grouped<T>(work: (tx: Tx) => Promise<T>, inputs?: GroupInputs): Promise<T>;
  /**
   * Runs `work` in a read-only transaction that sees one state of the database and takes no write
   * lock (index builds: minutes at 10 M signals). SQLite: a deferred transaction (WAL: writers of
   * other processes go on; an immediate one would hold them off until they fail with "database is
   * locked"); PostgreSQL: repeatable read, read only.
   */
  consistentRead<T>(work: (db: Db) => Promise<T>): Promise<T>;
  /**
   * Subscribes to a notification channel (PostgreSQL only; a no-op on SQLite). A dropped connection
   * is re-opened, then `onMessage('')` says that notifications may have been missed meanwhile.
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<void>;
  /** SQLite opened with backgroundCheckpoint: the thread that checkpoints its WAL. */
  readonly checkpointer?: Checkpointer;
  close(): Promise<void>;
}

function migrations(dialect: DialectName): MigrationProvider {
  const all: Record<string, Migration> = {
    '0001-initial': initial(dialect) as Migration,
    '0002-federation': federation(dialect) as Migration,
    '0003-signal-type-index': signalTypeIndex as Migration,
    '0004-actions': actions(dialect) as Migration,
    '0005-reports-notices': reportsNotices(dialect) as Migration,
    '0006-cases': cases(dialect) as Migration,
    '0007-series-feed': seriesFeed(dialect) as Migration,
    '0008-deconfliction': deconfliction(dialect) as Migration,
    '0009-shared-targets': sharedTargets as Migration,
    '0010-triage': triage(dialect) as Migration,
    '0011-reporting': reporting(dialect) as Migration,
    '0012-help-directory': helpDirectory(dialect) as Migration,
    '0013-messages': messages(dialect) as Migration,
    '0014-help-feed': helpFeed(dialect) as Migration,
    '0015-hardening': hardening as Migration,
    '0016-refusals-and-keys': refusalsAndKeys(dialect) as Migration,
    '0017-true-inputs': trueInputs as Migration,
    '0018-exchanges': exchanges(dialect) as Migration,
    '0019-cybertipline': cybertipline as Migration,
    '0020-exchange-success': exchangeSuccess as Migration,
    '0021-operations': operations(dialect) as Migration,
    '0022-cybertipline-authority': cybertiplineAuthority(dialect) as Migration,
    '0023-exchange-rejected': exchangeRejected as Migration,
    '0025-subscription-paused': subscriptionPaused as Migration,
    '0027-lead-packages': leadPackages(dialect) as Migration,
    '0028-lead-forwards': leadForwards(dialect) as Migration,
    '0029-case-target-lookup': caseTargetLookup as Migration,
    '0030-lead-package-lists': leadPackageLists(dialect) as Migration,
    '0031-submission-contents': submissionContents as Migration,
  };
  return { getMigrations: async () => all };
}

/** Runs pending migrations; throws with the failing migration's name. */
export async function migrate(db: Db, dialect: DialectName): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrations(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AllianceError('INTERNAL', `database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Parses PostgreSQL int8 and numeric as JavaScript numbers (ids and epoch ms fit exactly). */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * Opens (and migrates) the store.
 * @example const store = await openStore({ dataDir: './data' });
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  privateDir(options.dataDir);
  const file = join(options.dataDir, 'alliance.sqlite');
  // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database's mode.
  closeSync(openSync(file, 'a', FILE_MODE));
  chmodSync(file, FILE_MODE);
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL'); // an acknowledged write survives a crash or power loss
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536'); // 64 MiB of pages (the default 2 MiB thrashes on index lookups into millions of rows)
  const statements = cachedStatements(sqlite);
  // Apart from Kysely's: a statement set to return arrays stays so.
  const raw = new Map<string, SQLite.Statement>();
  const rawStatement = (text: string) => raw.get(text) ?? raw.set(text, sqlite.prepare(text).raw(true)).get(text)!;
  const db = new Kysely<Database>({ dialect: new WriterSqliteDialect({ database: statements }) });
  await migrate(db, 'sqlite');
  let checkpointer: Checkpointer | undefined;
  if (options.backgroundCheckpoint) {
    sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT}`);
    checkpointer = startCheckpointer(file, () => {
      // The thread failed: SQLite checkpoints in the commits again.
      if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
    });
  }
  const relaxed: Store['relaxedDurability'] = (work) =>
    db.connection().execute(async (conn) => {
      sqlite.pragma('synchronous = NORMAL');
      try {
        return await work(conn);
      } finally {
        sqlite.pragma('synchronous = FULL');
      }
    });
  const wal = walSync(`${file}-wal`);
  const group = new GroupCommit(db, { durability: { relaxed, sync: wal.sync } });
  return {
    db,
    dialect: 'sqlite',
    location: file,
    relaxedDurability: relaxed,
    rawRows: async (_name: string, text: string, params: unknown[]) => rawStatement(text).all(...params) as unknown[][],
    grouped: (work, inputs) => group.run(work, inputs),
    consistentRead: (work) =>
      db.connection().execute(async (conn) => {
        await sql`begin deferred`.execute(conn);
        try {
          const out = await work(conn);
          await sql`commit`.execute(conn);
          return out;
        } catch (err) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw err;
        }
      }),
    listen: async () => undefined,
    checkpointer,
    async close() {
      await checkpointer?.close();
      await db.destroy();
      await wal.close();
    },
  };
}

/**
 * fsync of the WAL file on libuv's thread pool, for group commit: a group commits with
 * synchronous NORMAL (its frames written to the WAL, not synced) and its callers are answered
 * once `sync()` settles — what synchronous FULL would have done in the commit, without holding
 * the event loop for the disk. Calls that arrive while an fsync runs share the next one (which
 * starts after their commits, so it covers them). The WAL file stays while the database is open.
 */
function walSync(path: string): { sync(): Promise<void>; close(): Promise<void> } {
  let handle: Promise<FileHandle> | undefined;
  let inFlight: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const fsync = async () => {
    handle ??= open(path, 'r');
    await (await handle).sync();
  };
  const start = () => (inFlight = fsync().finally(() => (inFlight = undefined)));
  return {
    sync() {
      if (!inFlight) return start();
      next ??= inFlight
        .catch(() => undefined)
        .then(() => {
          next = undefined;
          return start();
        });
      return next;
    },
    async close() {
      await inFlight?.catch(() => undefined);
      await next?.catch(() => undefined);
      await (await handle?.catch(() => undefined))?.close();
    },
  };
}

/**
 * Transactions begin IMMEDIATE: they take the write lock at once. Most read before they write (the
 * audit chain's head, a feed's last position); begun deferred, a transaction that read while another
 * process wrote fails with SQLITE_BUSY when it tries to write ("database is locked", no waiting),
 * whereas begun immediate it waits its turn (busy_timeout). Within one process Kysely runs one
 * transaction at a time anyway; this matters when serve workers or a CLI share the file.
 */
class WriterSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = guardText(super.createDriver());
    driver.beginTransaction = async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

class GuardedPostgresDialect extends PostgresDialect {
  override createDriver(): Driver {
    return guardText(super.createDriver());
  }
}

/**
 * A pool connection sends the texts registered as prepared (store/util.ts prepared) as named
 * prepared statements: Kysely passes only text and values, so its queries are named here by text.
 */
function sendPrepared(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (text: unknown, ...rest: unknown[]) => {
    const name = typeof text === 'string' ? preparedName(text) : undefined;
    if (name === undefined || rest.length > 1 || (rest.length === 1 && !Array.isArray(rest[0]))) return query(text, ...rest);
    return query({ name, text, values: rest[0] ?? [] });
  };
}

/**
 * One rule for all text on both engines: no value holds a NUL (U+0000). PostgreSQL cannot store
 * it in text (and failed with a 500); SQLite could, which would make the two engines disagree.
 * The API refuses it earlier, naming the field; this is the floor under every other path
 * (imports, feeds, the CLI).
 */
function guardText(driver: Driver): Driver {
  const acquire = driver.acquireConnection.bind(driver);
  const guarded = new WeakSet<object>(); // drivers hand out the same connection objects again
  driver.acquireConnection = async () => {
    const connection = await acquire();
    if (guarded.has(connection)) return connection;
    guarded.add(connection);
    const execute = connection.executeQuery.bind(connection);
    connection.executeQuery = (query) => {
      for (const p of query.parameters) {
        if (typeof p === 'string' && p.includes('\u0000'))
          return Promise.reject(new AllianceError('VALIDATION', 'a text value contains a NUL character (U+0000), which text may not hold'));
      }
      return execute(query);
    };
    return connection;
  };
  return driver;
}

/**
 * better-sqlite3 with prepared statements reused by SQL text (Kysely prepares every query it runs;
 * on the lookup path, preparing cost as much as executing).
 */
function cachedStatements(sqlite: SQLite.Database, max = 256): { prepare(sql: string): SQLite.Statement; close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) return stmt;
      stmt = sqlite.prepare(text);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(text, stmt);
      return stmt;
    },
    close: () => sqlite.close(),
  };
}

/**
 * Submission groups in flight at once on PostgreSQL (of the pool's 10 connections). Since a
 * group's writes go in one statement (submissions-repo pendingSubmissions), one at a time is
 * fastest: bench:actions on 2 cores, 2026-12-04, 1 / 2 / 4 groups: 1,633 / 1,422 / 1,170
 * submissions/s (before that change 1,090 / 1,074 / 860-970: the groups queue on the audit
 * chain's head, locked from its append to the commit, so more in flight only made each smaller);
 * 2026-12-05, with a group's reads in one statement and its plans prepared, 1 / 2 groups in three
 * alternating runs: 2,508-2,663 / 2,049-2,226.
 */
const PG_GROUPS = 1;

async function openPostgres(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10, types: pgTypes });
  // An idle connection that drops (PostgreSQL restarted, failed over, or the backend ended) is
  // discarded by the pool and the next query opens another; unhandled, pg's 'error' would end the process.
  pool.on('error', () => undefined);
  pool.on('connect', sendPrepared);
  const db = new Kysely<Database>({ dialect: new GuardedPostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy();
    throw new AllianceError('INTERNAL', `cannot connect to PostgreSQL: ${(err as Error).message}`, { cause: err });
  }
  await migrate(db, 'postgres');
  const group = new GroupCommit(db, { start: startSubmissionGroup, concurrency: PG_GROUPS });
  const listeners: Array<{ close(): Promise<void> }> = [];
  return {
    db,
    dialect: 'postgres',
    location: url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'),
    relaxedDurability: (work) => work(db),
    rawRows: async (name: string, text: string, params: unknown[]) => (await pool.query({ name, text, values: params, rowMode: 'array' })).rows as unknown[][],
    grouped: (work, inputs) => group.run(work, inputs),
    consistentRead: (work) => db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work),
    async listen(channel, onMessage) {
      if (!/^[a-z_]+$/.test(channel)) throw new Error(`bad channel name ${channel}`);
      listeners.push(await follow(url, channel, onMessage));
    },
    async close() {
      await Promise.all(listeners.map((l) => l.close()));
      await db.destroy();
    },
  };
}

/**
 * A LISTEN connection that comes back. PostgreSQL restarting or failing over (or an administrator
 * ending the backend) drops it: it is opened again, after 100 ms doubling to 5 s while that fails,
 * and `onMessage('')` is called once it listens again, since what was sent while it was away is
 * lost (a matcher then reads the change log: nothing is missed, only later). The first connection's
 * failure is the caller's.
 */
async function follow(url: string, channel: string, onMessage: (payload: string) => void): Promise<{ close(): Promise<void> }> {
  let current: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let delay = 100;
  const connect = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: url, types: pgTypes });
    let listening = false;
    const lost = () => {
      if (!listening) return; // a failed connect is handled where it was made
      listening = false;
      current = undefined;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (!closed) retry();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => {
      if (n.channel === channel) onMessage(n.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (closed) return void (await client.end().catch(() => undefined));
    listening = true;
    current = client;
  };
  const retry = () => {
    timer = setTimeout(() => {
      timer = undefined;
      connect().then(
        () => {
          delay = 100;
          if (!closed) onMessage('');
        },
        () => {
          delay = Math.min(delay * 2, 5000);
          if (!closed) retry();
        },
      );
    }, delay);
  };
  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await current?.end().catch(() => undefined);
    },
  };
}

/** Sends a notification when the surrounding transaction commits (PostgreSQL; no-op on SQLite). */
export async function notify(tx: Tx | Db, dialect: DialectName, channel: string, payload: string): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_notify(${channel}, ${payload})`.execute(tx);
}
