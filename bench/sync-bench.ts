/**
 * bench:sync — federation and exchange-file throughput, against the acceptance budgets:
 *   1. initial sync of N PDQ signals between two real `alliance serve` processes on 127.0.0.1
 *      (budget 60 s for 1 M), with the subscriber's peak memory;
 *   2. an incremental sync of 1,000 changes (600 added, 200 updated, 200 deleted; budget 2 s);
 *   3. a VICS 2.0 file of N Media imported and exported by the CLI (budget 60 s each for 1 M),
 *      with each process's peak memory (bounded: it must not grow with N);
 *   4. an NCMEC exchange fetch of M entries (MD5, SHA-1, PDQ each) from the NCMEC stand-in in
 *      generator mode (its own process) into a bank through node.exchanges.fetch, with the
 *      node's RSS sampled during the run (budget 60 s for 1 M, flat memory).
 * Usage: npm run bench:sync [-- --n 1000000] [--ncmec-n 1000000] [--ncmec-index] [--only sync|vics|ncmec]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { openNode } from '../src/node/node.js';
import { CLI } from '../test/support/paths.js';
import { http, startServer, treeCpuSeconds, type ServerProcess } from '../test/support/server-process.js';

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const N = Number(flag('--n') ?? 1_000_000);
const CHANGES = 1000;
const only = flag('--only');
const NCMEC_N = Number(flag('--ncmec-n') ?? 1_000_000);
/** With the match index loaded (as `serve` has it): it grows with the bank, by design, so memory is then not flat. */
const NCMEC_INDEX = args.includes('--ncmec-index');
const profile = flag('--profile');
const nodeArgs = (name: string) => (profile ? ['--cpu-prof', `--cpu-prof-dir=${join(profile, name)}`] : []);
const out = join(import.meta.dirname, 'out', `sync-${N}`);
const digest = (algo: string, text: string) => createHash(algo).update(text).digest('hex');
const seconds = (t: number) => (performance.now() - t) / 1000;
const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;

/** Peak resident memory (VmHWM, KiB) of a running process. */
const peakKb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** Runs the CLI, sampling its peak memory until it exits. */
function cli(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string; peakKb: number; s: number }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...argv], { env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    const sample = setInterval(() => {
      try {
        peak = Math.max(peak, peakKb(child.pid!));
      } catch {
        /* exited */
      }
    }, 50);
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sample);
      resolve({ code, stdout, stderr, peakKb: peak, s: seconds(t) });
    });
  });
}

console.log(`bench:sync  ${new Date().toISOString()}  ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, node ${process.version}, N = ${N.toLocaleString('en')}`);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const env = (dir: string, name: string, kind: string) => ({
  ALLIANCE_DATA_DIR: dir,
  ALLIANCE_MEMBER_NAME: name,
  ALLIANCE_MEMBER_KIND: kind,
  ALLIANCE_MEMBER_COUNTRY: 'NL',
  ALLIANCE_SYNC_INTERVAL_MS: '0',
  ALLIANCE_SYNC_TIMEOUT_MS: '120000',
});

/** 1 and 2: two real nodes; the publisher's bank is filled in-process first (not timed). */
async function syncBench(): Promise<{ initialS: number; incrS: number }> {
  const dirA = join(out, 'a');
  const dirB = join(out, 'b');
  const node = await openNode(loadConfig({ dataDir: dirA, memberName: 'hotline-nl', memberKind: 'hotline', memberCountry: 'NL', logLevel: 'silent' }, {}));
  const tokenA = node.firstAdminToken!;
  const actor = await node.operator();
  await node.banks.createBank(actor, { name: 'BENCH' });
  let t = performance.now();
  for (let i = 0; i < N; i += 100_000) {
    const items = [];
    for (let j = i; j < Math.min(N, i + 100_000); j++)
      items.push({
        signals: [{ signal_type: 'pdq', value: digest('sha256', `sync-${j}`) }],
        classification: j % 2 ? 'industry:A1' : 'industry:B1',
        tags: ['bench'],
      });
    await node.banks.importContents(actor, 'BENCH', items, 'bench');
  }
  console.log(`publisher filled: ${N} contents in ${seconds(t).toFixed(1)} s`);
  await node.close();

  const servers: ServerProcess[] = [];
  try {
    const A = await startServer([], env(dirA, 'hotline-nl', 'hotline'), 600_000, nodeArgs('publisher'));
    servers.push(A);
    const B = await startServer([], env(dirB, 'police-nl', 'authority'), 600_000, nodeArgs('subscriber'));
    servers.push(B);
    const callA = (m: string, p: string, body?: unknown) => http(`${A.url}${p}`, tokenA, m, body);
    const callB = (m: string, p: string, body?: unknown) => http(`${B.url}${p}`, B.token, m, body);
    const [idA, idB] = [(await callA('GET', '/api/v1/identity')).json, (await callB('GET', '/api/v1/identity')).json];
    await callA('POST', '/api/v1/peers', { name: idB.member, url: B.url, public_key: idB.public_key, country: idB.country, kind: idB.kind });
    await callB('POST', '/api/v1/peers', { name: idA.member, url: A.url, public_key: idA.public_key, country: idA.country, kind: idA.kind });
    await callA('PUT', '/api/v1/banks/BENCH/publication', { recipients: { members: ['police-nl'] } });
    const sub = (await callB('POST', '/api/v1/subscriptions', { peer: 'hotline-nl', bank: 'BENCH' })).json;

    t = performance.now();
    const first = (await callB('POST', `/api/v1/subscriptions/${sub.id}/sync`)).json;
    const initialS = seconds(t);
    if (first.error || first.added !== N) throw new Error(`initial sync failed: ${JSON.stringify(first)}`);
    console.log(
      `initial sync: ${N} signals in ${first.pages} pages, ${initialS.toFixed(1)} s (${Math.round(N / initialS).toLocaleString('en')}/s); subscriber peak ${mib(peakKb(B.proc.pid!))}, publisher peak ${mib(peakKb(A.proc.pid!))}`,
    );

    // 1,000 changes at the publisher, then one incremental sync.
    await Promise.all(
      Array.from({ length: 600 }, (_, i) =>
        callA('POST', '/api/v1/banks/BENCH/content', {
          signals: [{ signal_type: 'pdq', value: digest('sha256', `sync-new-${i}`) }],
          classification: 'industry:A1',
        }),
      ),
    );
    await Promise.all(Array.from({ length: 200 }, (_, i) => callA('PATCH', `/api/v1/content/${i + 1}`, { tags: ['bench', 'updated'] })));
    await Promise.all(Array.from({ length: 200 }, (_, i) => callA('DELETE', `/api/v1/content/${i + 1001}`)));
    t = performance.now();
    const incr = (await callB('POST', `/api/v1/subscriptions/${sub.id}/sync`)).json;
    const incrS = seconds(t);
    if (incr.error || incr.added !== 600 || incr.updated !== 200 || incr.deleted !== 200) throw new Error(`incremental sync wrong: ${JSON.stringify(incr)}`);
    console.log(`incremental sync: ${CHANGES} changes (+600 ~200 -200) in ${(incrS * 1000).toFixed(0)} ms`);
    return { initialS, incrS };
  } finally {
    await Promise.all(servers.map((s) => s.stop(profile ? 'SIGTERM' : 'SIGKILL')));
  }
}

/** 3: a generated file of N Media, imported and exported by the CLI. */
async function vicsBench(): Promise<{ importS: number; exportS: number }> {
  const vicsIn = join(out, 'media.json');
  const fh = await open(vicsIn, 'w');
  await fh.write('{"@odata.context":"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media","value":[\n');
  for (let i = 0; i < N; i += 10_000) {
    let text = '';
    for (let j = i; j < Math.min(N, i + 10_000); j++) {
      text += `${j ? ',\n' : ''}{"MediaID":${j + 1},"Category":${j % 5},"MD5":"${digest('md5', `v${j}`)}","SHA1":"${digest('sha1', `v${j}`)}","MediaSize":${1000 + j},"IsDistributed":"true","DateUpdated":"2021-03-04T05:06:07.000+01:00Z","Tags":"bench","MediaFiles":[{"FileName":"${j}.jpg","FilePath":"C:\\\\bench\\\\${j}.jpg"}]}`;
    }
    await fh.write(text);
  }
  await fh.write('\n]}\n');
  await fh.close();
  const dirV = join(out, 'v');
  const imp = await cli(['import', vicsIn, '--bank', 'VICS', '--create', '--data', dirV]);
  if (imp.code !== 0) throw new Error(imp.stderr);
  console.log(`VICS import: ${N} Media (${(statSync(vicsIn).size / 2 ** 20).toFixed(0)} MiB) in ${imp.s.toFixed(1)} s, peak ${mib(imp.peakKb)}`);
  const exp = await cli(['export', 'VICS', '--out', join(out, 'export.json'), '--data', dirV]);
  if (exp.code !== 0) throw new Error(exp.stderr);
  console.log(`VICS export: ${N} Media in ${exp.s.toFixed(1)} s, peak ${mib(exp.peakKb)}`);
  return { importS: imp.s, exportS: exp.s };
}

/** 4: the NCMEC stand-in generating M entries in a process of its own; the fetch in this process. */
async function ncmecBench(): Promise<{ s: number; peakRss: number }> {
  const standin = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '..', 'test', 'support', 'ncmec-standin.ts'), '--generate', String(NCMEC_N)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const remote = await new Promise<{ url: string; user: string; password: string }>((resolve, reject) => {
      let text = '';
      standin.stdout.setEncoding('utf8').on('data', (c: string) => {
        text += c;
        if (text.includes('\n')) resolve(JSON.parse(text.slice(0, text.indexOf('\n'))));
      });
      standin.on('exit', (code) => reject(new Error(`the NCMEC stand-in exited (${code})`)));
    });
    const config = loadConfig(
      { dataDir: join(out, 'ncmec'), memberName: 'esp-bench', logLevel: 'silent', syncTimeoutMs: '120000', exchangeFetchBudgetMs: '3600000' },
      {},
    );
    const node = await openNode(config, { loadIndex: NCMEC_INDEX });
    try {
      const actor = await node.operator();
      await node.exchanges.setCredentials(actor, 'ncmec', { user: remote.user, password: remote.password });
      await node.exchanges.create(actor, { name: 'NCMEC_BENCH', api: 'ncmec', config: { base_url: remote.url } });
      const rss: number[] = [];
      /** When each tenth of the entries was in the bank (from the exchange's status), to see whether the rate holds. */
      const tenths: number[] = [];
      const sample = setInterval(() => {
        rss.push(process.memoryUsage().rss);
        void node.exchanges.status(actor, 'NCMEC_BENCH').then((st) => {
          while (tenths.length < 10 && st.fetched_items >= ((tenths.length + 1) * NCMEC_N) / 10) tenths.push(seconds(t));
        });
      }, 100);
      const t = performance.now();
      const cpu = process.cpuUsage();
      const standinCpu = treeCpuSeconds(standin.pid!);
      const report = await node.exchanges.fetch('NCMEC_BENCH');
      const s = seconds(t);
      const used = process.cpuUsage(cpu);
      const standinUsed = treeCpuSeconds(standin.pid!) - standinCpu;
      if (tenths.length < 10) tenths.push(s);
      clearInterval(sample);
      rss.push(process.memoryUsage().rss);
      if (report.error || report.added !== NCMEC_N) throw new Error(`NCMEC fetch failed: ${JSON.stringify(report)}`);
      const peakRss = Math.max(...rss);
      const at = (f: number) => mib(rss[Math.min(rss.length - 1, Math.floor(rss.length * f))] / 1024);
      console.log(
        `NCMEC fetch${NCMEC_INDEX ? ' (index loaded)' : ''}: ${NCMEC_N.toLocaleString('en')} entries in ${report.pages} pages, ${s.toFixed(1)} s (${Math.round(NCMEC_N / s).toLocaleString('en')}/s); CPU ${((used.user + used.system) / 1e6).toFixed(1)} s here, ${standinUsed.toFixed(1)} s in the stand-in; RSS at 10/50/90 % of the run ${at(0.1)} / ${at(0.5)} / ${at(0.9)}, peak ${mib(peakRss / 1024)}`,
      );
      console.log(`  entries/s by tenth: ${tenths.map((x, i) => Math.round(NCMEC_N / 10 / (x - (tenths[i - 1] ?? 0))).toLocaleString('en')).join(' ')}`);
      return { s, peakRss };
    } finally {
      await node.close();
    }
  } finally {
    standin.kill('SIGTERM');
  }
}

const sync = only === undefined || only === 'sync' ? await syncBench() : undefined;
const vics = only === undefined || only === 'vics' ? await vicsBench() : undefined;
const ncmec = only === undefined || only === 'ncmec' ? await ncmecBench() : undefined;

console.log('\nagainst the budgets (ratio = budget / measured; > 1 is within budget):');
const scale = N / 1_000_000;
const row = (what: string, s: number, limit: number) =>
  console.log(`  ${what.padEnd(24)} ${s.toFixed(2).padStart(8)} s  budget ${limit.toFixed(1).padStart(5)} s  ratio ${(limit / s).toFixed(1)}×`);
if (sync) {
  row('initial sync', sync.initialS, 60 * scale);
  row('incremental 1,000', sync.incrS, 2);
}
if (vics) {
  row('VICS import', vics.importS, 60 * scale);
  row('VICS export', vics.exportS, 60 * scale);
}
if (ncmec) row(`NCMEC fetch ${NCMEC_N.toLocaleString('en')}`, ncmec.s, (60 * NCMEC_N) / 1_000_000);
