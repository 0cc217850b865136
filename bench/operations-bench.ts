/**
 * bench:operations — a seized board's user table at scale: N targets (default 1,000,000) in a CSV
 * as an exporter writes it (usernames, e-mail addresses at country and generic domains, 1–3 IP
 * addresses with times placed in several countries by the offline database, account countries,
 * and for one in ten a shared MD5 of which some match a bank), imported into an operation through
 * the service the CLI uses (`alliance operation import`), every target attributed and its hashes
 * matched, on the embedded SQLite default. Prints the time, targets/s, the peak and per-tenth RSS,
 * and the ratio to the budget (60 s) in the same run; then checks every target against
 * deconfliction and builds the lead packages, each phase with its time and its own peak RSS.
 * Usage: npm run bench:operations [-- --targets 1000000]
 */
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { loadConfig } from '../src/config/config.js';
import { fileChunks } from '../src/exchange/index.js';
import { openNode } from '../src/node/node.js';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(`Usage: npm run bench:operations [-- --targets N] [-- --import-only]
  --targets N     how many targets the generated board export has (default 1,000,000)
  --import-only   stop after the import (its figures and the ratio to the budget)
Prints the import's time, CPU and RSS (at 10/50/90 % and peak), then deconfliction's and the lead
packages' time, each with the peak RSS during that phase (sampled every 250 ms).`);
  process.exit(0);
}
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const N = Number(flag('--targets') ?? 1_000_000);
const BUDGET_S = 60;
const importOnly = args.includes('--import-only');
const out = join(import.meta.dirname, 'out', `operations-${N}`);

let seed = 0x9e3779b9;
const rnd = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
// Addresses the shipped database places in DE, NL, FR, US, GB, IE (and a private one that places nothing).
const IPS = ['193.99.144.', '145.97.39.', '62.210.16.', '8.8.8.', '81.2.69.', '31.13.64.', '10.1.2.'];
const DOMAINS = ['example.com', 'mail.example.de', 'post.example.nl', 'example.fr', 'example.co.uk', 'example.net'];
const COUNTRIES = ['DE', 'NL', 'FR', 'US', 'GB', '', '', ''];
const md5 = (i: number) => i.toString(16).padStart(32, '0');

async function writeFile(path: string): Promise<void> {
  const w = createWriteStream(path);
  w.write('ref,username,email,ip,account_country,payment_ref,device_id,hashes\n');
  for (let i = 0; i < N; i++) {
    const ips = Array.from(
      { length: 1 + Math.floor(rnd() * 3) },
      () => `${pick(IPS)}${Math.floor(rnd() * 250) + 1}@2026-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}T12:00:00Z`,
    );
    const hash = i % 10 === 0 ? `md5:${md5(Math.floor(rnd() * 20_000))}` : '';
    const line = `u${i},User_${i},user${i}@${pick(DOMAINS)},${ips.join(';')},${pick(COUNTRIES)},PAY-${i},,${hash}\n`;
    if (!w.write(line)) await new Promise<void>((r) => w.once('drain', () => r()));
  }
  w.end();
  await finished(w);
}

async function main(): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const file = join(out, 'targets.csv');
  await writeFile(file);
  const node = await openNode(loadConfig({ dataDir: join(out, 'data'), logLevel: 'silent', deconflictionKey: 'be0c4'.repeat(16) }, {}), { loadIndex: true });
  try {
    const admin = await node.operator();
    await node.banks.createBank(admin, { name: 'KNOWN' });
    // 1,000 of the 20,000 shared MD5s are known: about 5 % of the hashes match.
    await node.banks.importContents(
      admin,
      'KNOWN',
      Array.from({ length: 1000 }, (_, i) => ({ signals: [{ signal_type: 'md5', value: md5(i * 20) }] })),
      'bench',
    );
    await node.matcher.catchUp();
    const op = await node.operations.open(admin, { name: 'Bench', legal_basis: 'bench', owner_agency: 'bench', contact_point: 'bench' });
    const rss: number[] = [];
    let peak = 0;
    // The peak of the phase under way (reset at each phase's start).
    let phasePeak = 0;
    let importing = true;
    const sampler = setInterval(() => {
      const r = process.memoryUsage().rss;
      if (importing) rss.push(r);
      peak = Math.max(peak, r);
      phasePeak = Math.max(phasePeak, r);
    }, 250);
    const phase = () => {
      phasePeak = process.memoryUsage().rss;
      return phasePeak;
    };
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const done = await node.operations.importTargets(admin, op.id, () => fileChunks(file));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    importing = false;
    const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
    const at = (f: number) => mib(rss[Math.min(rss.length - 1, Math.floor(rss.length * f))] ?? 0);
    console.log(
      `bench:operations  ${new Date().toISOString()}  ${cpus()[0]?.model.trim() ?? 'cpu'} ×${cpus().length}, node ${process.version}, N = ${N.toLocaleString('en')}`,
    );
    console.log(
      `import + attribution + matching: ${done.imported.toLocaleString('en')} targets in ${seconds.toFixed(1)} s (${Math.round(done.imported / seconds).toLocaleString('en')}/s); CPU ${cpuSeconds.toFixed(1)} s (a busy machine stretches the wall time, not this); RSS at 10/50/90 % ${at(0.1)} / ${at(0.5)} / ${at(0.9)}, peak ${mib(peak)}`,
    );
    console.log(`  countries: ${done.countries.map((c) => `${c.country ?? 'none'} ${c.targets.toLocaleString('en')}`).join(', ')}`);
    console.log(`  with matched content: ${done.countries.reduce((n, c) => n + c.with_matches, 0).toLocaleString('en')}`);
    const budget = () => {
      console.log(`\nagainst the budget (ratio = budget / measured; > 1 is within budget):`);
      console.log(
        `  import ${N.toLocaleString('en')} targets   ${seconds.toFixed(2)} s  budget ${BUDGET_S.toFixed(1)} s  ratio ${(BUDGET_S / seconds).toFixed(1)}×`,
      );
    };
    if (importOnly) {
      clearInterval(sampler);
      return budget();
    }
    // Then every target checked against deconfliction (keyed hashes of each identifier) and a package built per country.
    phase();
    const t1 = performance.now();
    const checked = await node.operations.deconflict(admin, op.id);
    const deconflictS = (performance.now() - t1) / 1000;
    const deconflictPeak = Math.max(phasePeak, process.memoryUsage().rss);
    const packageStart = phase();
    const t2 = performance.now();
    const built = await node.leads.build(admin, op.id, { handling: { intelligence_only: true } });
    const packageS = (performance.now() - t2) / 1000;
    const packagePeak = Math.max(phasePeak, process.memoryUsage().rss);
    clearInterval(sampler);
    console.log(
      `deconfliction: ${checked.checked.toLocaleString('en')} targets checked (${checked.held} held) in ${deconflictS.toFixed(1)} s (${Math.round(checked.checked / deconflictS).toLocaleString('en')}/s); peak RSS ${mib(deconflictPeak)}`,
    );
    console.log(
      `lead packages: ${built.packages.length} built (${built.packages.reduce((n, p) => n + p.targets, 0).toLocaleString('en')} targets, ${[...new Set(built.packages.map((p) => p.country))].join(' ')}) in ${packageS.toFixed(1)} s; peak RSS during the build ${mib(packagePeak)} (${mib(packageStart)} at its start; whole run ${mib(Math.max(peak, packagePeak))})`,
    );
    budget();
  } finally {
    await node.close();
  }
}

await main();
