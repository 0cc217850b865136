/**
 * Demo banks from the shared fixture hashes (test images and videos from Meta's ThreatExchange
 * repository — no abuse material), so a fresh node has something to match against: the PDQ
 * hashes of the fixture images, their videos' vPDQ, the 1,350-hash index test set, and a negative
 * bank that allow-lists one image to show suppression; and a keyword list of neutral placeholder
 * terms for the awareness check (the check SDK's demo page). Then the work on them (seedDemoWork):
 * rules, reviews, reports, notices, a series and deconfliction cases, made through the services.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BankService, ContentFields } from '../banks/bank-service.js';
import type { Principal } from '../members/principal.js';
import type { AllianceNode } from './node.js';

/** The demo keyword list: neutral placeholders. */
export const DEMO_TERMS = ['forbiddenterm', 'placeholder phrase'];

export interface DemoSummary {
  banks: string[];
  contents: number;
}

export async function seedDemoBanks(banks: BankService, actor: Principal, fixtures: string): Promise<DemoSummary | undefined> {
  if (!existsSync(join(fixtures, 'pdq', 'expected.csv'))) return undefined;
  if ((await banks.listBanks(actor)).length > 0) return undefined;
  let contents = 0;
  const add = async (bank: string, items: ContentFields[], kind: 'positive' | 'negative', description: string) => {
    await banks.createBank(actor, { name: bank, kind, description });
    contents += (await banks.importContents(actor, bank, items, 'demo')).length;
  };

  const rows = readFileSync(join(fixtures, 'pdq', 'expected.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const seen = new Set<string>();
  const images: ContentFields[] = [];
  for (const [file, pdq, quality] of rows) {
    if (Number(quality) < 50 || seen.has(pdq)) continue;
    seen.add(pdq);
    images.push({
      signals: [{ signal_type: 'pdq', value: pdq, quality: Number(quality) }],
      tags: ['demo', file.split('/')[0]],
      note: `fixture image ${file}`,
      classification: 'legal:unknown',
    });
  }
  await add('DEMO_IMAGES', images, 'positive', 'Demo: PDQ hashes of the shared fixture images');

  const videoDir = join(fixtures, 'video');
  const videos = readdirSync(videoDir)
    .filter((f) => f.endsWith('.vpdq.txt'))
    .map((f) => ({
      signals: [{ signal_type: 'vpdq', value: readFileSync(join(videoDir, f), 'utf8') }],
      tags: ['demo'],
      note: `fixture video ${f.replace('.vpdq.txt', '.mp4')}`,
    }));
  await add('DEMO_VIDEOS', videos, 'positive', 'Demo: vPDQ of the shared fixture videos');

  const haystack = readFileSync(join(fixtures, 'pdq', 'haystack.txt'), 'utf8')
    .split('\n')
    .filter(Boolean);
  await add(
    'DEMO_HAYSTACK',
    haystack.map((h) => ({ signals: [{ signal_type: 'pdq', value: h }], tags: ['demo'] })),
    'positive',
    'Demo: the 1,350-hash index test set',
  );

  const allowed = rows.find(([file]) => file === 'misc-images/c.png');
  if (allowed)
    await add(
      'DEMO_ALLOW',
      [{ signals: [{ signal_type: 'pdq', value: allowed[1] }], tags: ['demo'], note: 'allow-listed: shows how a negative bank suppresses a match' }],
      'negative',
      'Demo allow-list',
    );

  // Placeholders, never real terms: what a search must contain (through any evasion) to be stopped.
  await add(
    'DEMO_SEARCH_TERMS',
    DEMO_TERMS.map((value) => ({ signals: [{ signal_type: 'keyword', value }], tags: ['demo'] })),
    'positive',
    'Demo: placeholder search terms for the check API',
  );
  return { banks: ['DEMO_IMAGES', 'DEMO_VIDEOS', 'DEMO_HAYSTACK', ...(allowed ? ['DEMO_ALLOW'] : []), 'DEMO_SEARCH_TERMS'], contents };
}

// ---- the work: rules, a review queue, reports, notices, a series, a deconfliction case -------

/** Every name the work seeding uses, so a second run finds what the first made. */
export const DEMO = {
  reviewRule: 'Demo review fixture images',
  blockRule: 'Demo block fixture videos',
  source: 'demo',
  authority: 'demo-authority',
  authorityCountry: 'NL',
  provider: 'Demo Hosting',
  host: 'files.demo-hosting.example',
  series: 'DEMO series (fixture images)',
  casePrefix: 'DEMO-',
} as const;

export interface DemoWorkSummary {
  rules: number;
  submissions: number;
  reports: number;
  notices: number;
  series: number;
  cases: number;
}

/** Where the demo authority is registered when this process serves none (under --workers): nothing listens there. */
const NO_AUTHORITY_URL = 'http://127.0.0.1:9';

/** A public key whose private half is thrown away: the demo authority has no node, so nothing can answer as it. */
function unusablePeerKey(): string {
  const der = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
  return `ed25519:${der.subarray(der.length - 32).toString('base64')}`;
}

/**
 * Seeds the core flows through the node's own services, each part once (a second run finds it and
 * adds nothing): action rules on the demo banks; submissions of fixture image hashes with context,
 * which the rule holds for review; one review confirmed, whose incident report is finished and
 * routed to the "demo authority" peer registered for NL — the second node this process serves
 * (cli/commands/serve-demo.ts), which really receives it; when there is none (--workers), a peer at
 * 127.0.0.1:9 where nothing listens, so the delivery shows as failed — plus a draft; takedown notices to a
 * demo hosting provider (one confirmed removed; the other open, as no abuse endpoint answers);
 * a series with two identified victims referred to demo support services; and two deconfliction
 * cases sharing a target (with the public demo key, flagged demo: true by GET /cases).
 */
export async function seedDemoWork(
  node: AllianceNode,
  actor: Principal,
  fixtures: string,
  /** The demo authority's node, when this process serves one (serve --demo, one process). */
  authority?: { url: string; publicKey: string },
): Promise<DemoWorkSummary | undefined> {
  const banks = (await node.banks.listBanks(actor)).map((b) => b.name);
  if (!banks.includes('DEMO_IMAGES')) return undefined;
  const made: DemoWorkSummary = { rules: 0, submissions: 0, reports: 0, notices: 0, series: 0, cases: 0 };

  // Rules: hold matches of the demo images (legal status unknown) for review; block the demo videos.
  const rules = (await node.rules.list(actor)).map((r) => r.name);
  if (!rules.includes(DEMO.reviewRule)) {
    await node.rules.create(actor, {
      name: DEMO.reviewRule,
      conditions: { banks: ['DEMO_IMAGES'], classifications: ['legal:unknown'], signal_types: ['pdq'], max_distance: 31 },
      actions: ['review'],
    });
    made.rules++;
  }
  if (banks.includes('DEMO_VIDEOS') && !rules.includes(DEMO.blockRule)) {
    await node.rules.create(actor, { name: DEMO.blockRule, conditions: { banks: ['DEMO_VIDEOS'], signal_types: ['vpdq'] }, actions: ['block'] });
    made.rules++;
  }

  // The review queue: real submissions of fixture image hashes, with the context a platform sends.
  // They match through the index: under --workers the primary seeds with a node that has not loaded it.
  if (node.matcher.status().ready) await node.matcher.catchUp();
  else await node.matcher.load();
  const queued = async () => (await node.reviews.queue(actor, 'all', 500)).items.filter((i) => i.source === DEMO.source);
  let items = await queued();
  if (items.length === 0) {
    const rows = readFileSync(join(fixtures, 'pdq', 'expected.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .filter(([file, , quality]) => Number(quality) >= 50 && file !== 'misc-images/c.png');
    // Distinct hashes, taken in turn from each fixture folder (a hash seen again would be a re-upload, not a new review).
    const folders = new Map<string, string[][]>();
    const distinct = new Set<string>();
    for (const row of rows) {
      if (distinct.has(row[1])) continue;
      distinct.add(row[1]);
      const folder = row[0].split('/')[0];
      folders.set(folder, [...(folders.get(folder) ?? []), row]);
    }
    const picked: string[][] = [];
    for (let k = 0; picked.length < 6 && k < rows.length; k++) for (const list of folders.values()) if (list[k] && picked.length < 6) picked.push(list[k]);
    const countries = ['NL', 'DE', 'FR', 'BE', 'NL', 'DE'];
    const hour = 3_600_000;
    for (const [i, [file, pdq]] of picked.entries()) {
      const r = await node.submissions.submit(actor, {
        signals: { pdq },
        source: DEMO.source,
        external_id: `demo-${i + 1}`,
        url: `https://${DEMO.host}/u/demo-${i + 1}/${file.split('/').pop()}`,
        ip: `203.0.113.${10 + i}`,
        account: { id: `demo-account-${i + 1}`, name: `demo_user_${i + 1}`, country: countries[i % countries.length] },
        uploaded_at: Date.now() - (i + 1) * hour,
      });
      if (r.review_id !== null) made.submissions++;
    }
    items = await queued();
  }

  // A confirmed review and its incident report, routed to the demo authority.
  const peer = (await node.federation.listPeers(actor)).find((p) => p.name === DEMO.authority);
  if (!peer)
    await node.federation.addPeer(actor, {
      name: DEMO.authority,
      url: authority?.url ?? NO_AUTHORITY_URL,
      publicKey: authority?.publicKey ?? unusablePeerKey(),
      country: DEMO.authorityCountry,
      kind: 'authority',
    });
  // Its port changes from start to start.
  else if (authority && (peer.url !== authority.url || peer.public_key !== authority.publicKey))
    await node.federation.updatePeer(actor, DEMO.authority, { url: authority.url, publicKey: authority.publicKey });
  const authorities = await node.reports.authorities(actor);
  if (!authorities.authorities.some((a) => a.country === DEMO.authorityCountry)) await node.reports.setAuthority(actor, DEMO.authorityCountry, DEMO.authority);
  // The one confirmed so far, else a pending one (the analyst may have decided some of them since).
  const pending = items.find((i) => i.status === 'pending');
  const confirmed =
    items.find((i) => i.status === 'confirmed') ??
    (pending ? await node.reviews.decide(actor, pending.id, 'confirmed', 'Demo: confirmed to show an incident report and a notice') : undefined);
  const out = await node.reports.list(actor, 'out', 500);
  const report = confirmed ? out.find((r) => r.review_id === confirmed.id) : undefined;
  if (confirmed && !report) {
    await node.reports.fromReview(actor, confirmed.id);
    made.reports++;
  }
  // A delivery that failed while no demo authority was served (or it was down): sent again now it is.
  if (authority && report?.routed_to === DEMO.authority && report.delivery?.state === 'failed') await node.reports.redeliver(actor, report.id);
  if (!out.some((r) => r.additional_info?.startsWith('Demo draft'))) {
    await node.reports.create(actor, {
      incident_type: 'child_pornography',
      reported_user: { screen_name: 'demo_user_9', country: DEMO.authorityCountry },
      additional_info: 'Demo draft: an incident report not finished yet (generated demo data).',
    });
    made.reports++;
  }

  // Takedown notices to a demo hosting provider: one open (no abuse endpoint answers), one confirmed removed.
  if (!(await node.notices.providers(actor)).some((p) => p.name === DEMO.provider))
    await node.notices.addProvider(actor, {
      name: DEMO.provider,
      domains: ['demo-hosting.example'],
      abuse_email: 'abuse@demo-hosting.example',
      country: DEMO.authorityCountry,
    });
  const notices = (await node.notices.list(actor, undefined, 500)).filter((n) => n.host === DEMO.host);
  if (notices.length === 0 && confirmed) {
    const basis = 'Demo: generated demo data matching a demo bank (no real material)';
    await node.notices.create(actor, {
      url: confirmed.url ?? `https://${DEMO.host}/u/demo-1`,
      evidence: confirmed.signals,
      legal_basis: basis,
      review_id: confirmed.id,
      submission_id: confirmed.submission_id,
    });
    const second = items.find((i) => i.id !== confirmed.id) ?? confirmed;
    const removed = await node.notices.create(actor, { url: `https://${DEMO.host}/u/demo-removed`, evidence: second.signals, legal_basis: basis });
    // Sent now (serve --demo e-mails them into <data>/demo-outbox when no mail server is configured), so
    // each timeline has its "sent"; then the host's answer for one of them.
    await node.notices.tick();
    await node.notices.confirmRemoved(actor, removed.id, 'Demo: the host answered by e-mail that the file is removed');
    made.notices += 2;
  }

  // A series with its content, two identified victims and their referrals to support services.
  if ((await node.series.search(actor, { text: DEMO.series })).length === 0) {
    const services = await node.series.services(actor, DEMO.authorityCountry);
    const service = async (name: string, kind: string, contact: string) =>
      services.find((s) => s.name === name)?.id ??
      (await node.series.addService(actor, { country: DEMO.authorityCountry, name, kind, contact, languages: ['nl', 'en'] })).id;
    const support = await service('Demo victim support', 'victim_support', 'support@demo-support.example');
    const helpline = await service('Demo child helpline', 'child_helpline', 'helpline@demo-support.example');
    const s = await node.series.create(actor, {
      name: DEMO.series,
      agency: 'Demo agency',
      contact_point: 'demo-analyst@demo-agency.example',
      notes: 'Demo data: the fixture images stand for a series; the victims below are generated placeholders.',
      first_seen: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10),
    });
    const contents = [...new Set(items.flatMap((i) => i.reasons.filter((m) => m.bank === 'DEMO_IMAGES').map((m) => m.content_id)))];
    if (contents.length) await node.series.link(actor, s.id, contents);
    await node.series.identifyVictim(actor, s.id, { service_id: support });
    const v = await node.series.identifyVictim(actor, s.id, {});
    await node.series.refer(actor, v.id, helpline);
    made.series++;
  }

  // Deconfliction: two cases holding the same target raise an alert on each. Only with the demo key:
  // under a real alliance key, demo cases would travel to the peers.
  if (node.deconfliction.demoKey) {
    const cases = (await node.deconfliction.cases(actor)).filter((c) => c.reference.startsWith(DEMO.casePrefix));
    if (cases.length === 0) {
      const a = await node.deconfliction.openCase(actor, {
        reference: `${DEMO.casePrefix}CASE-1`,
        contact_point: 'Demo analyst A, demo-a@demo-agency.example',
      });
      const b = await node.deconfliction.openCase(actor, {
        reference: `${DEMO.casePrefix}CASE-2`,
        contact_point: 'Demo analyst B, demo-b@demo-agency.example',
      });
      await node.deconfliction.addTargets(actor, a.id, [{ kind: 'username', value: 'demo_user_1' }]);
      await node.deconfliction.addTargets(actor, b.id, [
        { kind: 'username', value: 'demo_user_1' },
        { kind: 'email', value: 'demo-only@demo-mail.example' },
      ]);
      made.cases += 2;
    }
  }
  return made;
}
