/**
 * bench:load — does a real `alliance serve` stay responsive under heavy requests? First `/health`
 * and a PDQ lookup are timed on an idle server; then, while a 16,000 × 16,000-frame vPDQ comparison,
 * a 45,000-frame vPDQ lookup against a 12,000-frame video and 16 concurrent uploads of a
 * 9,000 × 9,000 PNG run, the same two requests are timed again, one after the other, until the
 * heavy ones are done. Prints both with the ratio (load / idle), each heavy request's status and
 * time, and the server's resident memory (idle, peak) against its decode budget.
 * Usage: npm run bench:load [-- --uploads 16] [--budget-mp 256] [--threads N]
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bigPng, rssBytes, scenes, vpdqValue } from '../test/support/heavy-load.js';
import { startServer, type ServerProcess } from '../test/support/server-process.js';

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const uploads = Number(flag('--uploads') ?? 16);
const budgetMp = flag('--budget-mp');
const threads = flag('--threads');
const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';

const out = join(import.meta.dirname, 'out', 'load');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function timed(f: () => Promise<Response>): Promise<{ ms: number; status: number }> {
  const t = performance.now();
  const r = await f();
  await r.arrayBuffer();
  return { ms: performance.now() - t, status: r.status };
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ALLIANCE_DATA_DIR: join(out, 'data'), ALLIANCE_SYNC_INTERVAL_MS: '0', ALLIANCE_SNAPSHOT_INTERVAL_MS: '0' };
  if (budgetMp) env.ALLIANCE_DECODE_BUDGET_MP = budgetMp;
  if (threads) env.ALLIANCE_COMPUTE_THREADS = threads;
  const server: ServerProcess = await startServer([], env);
  const token = server.token!;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const post = (path: string, body: unknown) => fetch(`${server.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  try {
    const videoScenes = scenes(400, 1);
    await post('/api/v1/banks', { name: 'VIDEOS' });
    await post('/api/v1/banks', { name: 'IMAGES' });
    const added = await post('/api/v1/banks/VIDEOS/content', { signals: [{ signal_type: 'vpdq', value: vpdqValue(12_000, videoScenes, 2) }] });
    if (added.status !== 201) throw new Error(`adding the video: ${added.status} ${await added.text()}`);
    await post('/api/v1/banks/IMAGES/content', { signals: [{ signal_type: 'pdq', value: PDQ }] });
    const health = () => fetch(`${server.url}/health`);
    const lookup = () => post('/api/v1/lookup', { signal_type: 'pdq', signal: PDQ });

    // Idle.
    const idle = { health: [] as number[], lookup: [] as number[] };
    for (let i = 0; i < 300; i++) {
      idle.health.push((await timed(health)).ms);
      idle.lookup.push((await timed(lookup)).ms);
    }
    const idleRss = rssBytes(server.proc.pid!);

    // Under load.
    const compareA = vpdqValue(16_000, scenes(600, 3), 4);
    const compareB = vpdqValue(16_000, scenes(600, 5), 6); // other scenes: no frame matches, every pair is compared
    const query = vpdqValue(45_000, videoScenes, 7); // the video's scenes: the video is a candidate, scored both ways
    const png = await bigPng(9000);
    const started = performance.now();
    const heavy: Array<Promise<{ what: string; ms: number; status: number }>> = [];
    const track = (what: string, f: () => Promise<Response>) => heavy.push(timed(f).then((r) => ({ what, ...r })));
    track('vPDQ compare 16,000 × 16,000 frames', () => post('/api/v1/compare', { signal_type: 'vpdq', a: compareA, b: compareB }));
    track('vPDQ lookup of 45,000 frames', () => post('/api/v1/lookup', { signal_type: 'vpdq', signal: query }));
    for (let i = 0; i < uploads; i++) {
      track(`upload ${i + 1}: 9000 × 9000 PNG`, () => {
        const form = new FormData();
        form.append('file', new Blob([png], { type: 'image/png' }), 'big.png');
        return fetch(`${server.url}/api/v1/hash`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
      });
    }
    let done = false;
    const all = Promise.all(heavy).then((r) => ((done = true), r));
    let peak = idleRss;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(server.proc.pid!))), 50);
    const load = { health: [] as number[], lookup: [] as number[] };
    while (!done) {
      load.health.push((await timed(health)).ms);
      load.lookup.push((await timed(lookup)).ms);
    }
    const results = await all;
    clearInterval(sampler);
    const heavyMs = performance.now() - started;

    console.log(
      `bench:load — alliance serve (defaults${budgetMp ? `, decode budget ${budgetMp} MP` : ''}${threads ? `, ${threads} compute threads` : ''}), ${new Date().toISOString().slice(0, 10)}`,
    );
    console.log(`heavy requests (${(heavyMs / 1000).toFixed(1)} s until the last answered):`);
    const byStatus = new Map<string, number>();
    for (const r of results) {
      if (!r.what.startsWith('upload')) console.log(`  ${r.what}: HTTP ${r.status} in ${(r.ms / 1000).toFixed(2)} s`);
      else byStatus.set(`HTTP ${r.status}`, (byStatus.get(`HTTP ${r.status}`) ?? 0) + 1);
    }
    const up = results.filter((r) => r.what.startsWith('upload')).map((r) => r.ms);
    console.log(
      `  ${uploads} uploads of a 9000 × 9000 PNG (${(png.length / 1024).toFixed(0)} KB, 81 MP): ${[...byStatus].map(([s, n]) => `${n} × ${s}`).join(', ')}; first answered in ${(Math.min(...up) / 1000).toFixed(2)} s, last in ${(Math.max(...up) / 1000).toFixed(2)} s`,
    );
    console.log('');
    console.log('                          idle p50    idle p99   under load p50  under load p99   max         ratio p99 (load / idle)');
    for (const k of ['health', 'lookup'] as const) {
      const label = k === 'health' ? 'GET /health' : 'POST /api/v1/lookup (pdq)';
      console.log(
        `${label.padEnd(26)}${ms(quantile(idle[k], 0.5)).padEnd(12)}${ms(quantile(idle[k], 0.99)).padEnd(11)}${ms(quantile(load[k], 0.5)).padEnd(16)}${ms(quantile(load[k], 0.99)).padEnd(17)}${ms(Math.max(...load[k])).padEnd(12)}${(quantile(load[k], 0.99) / quantile(idle[k], 0.99)).toFixed(1)}×   (${load[k].length} requests under load)`,
      );
    }
    console.log('');
    console.log(
      `server memory: idle ${(idleRss / 2 ** 20).toFixed(0)} MB, peak under load ${(peak / 2 ** 20).toFixed(0)} MB (decode budget ${budgetMp ?? 256} MP ≈ ${((Number(budgetMp ?? 256) * 3) / 1.024).toFixed(0)} MB of pixels)`,
    );
  } finally {
    await server.stop('SIGKILL');
  }
}

await main();
