/**
 * An operation's picture (issue 18, point 5): per receiving country and for the whole operation,
 * how many targets were referred, acknowledged, accepted and declined, with which outcomes, how
 * many victims were safeguarded, and how long each step took from referral — all read from the
 * packages this node sent and the signed status updates their receivers sent back (verified when
 * they came). Counts are counts of targets: a target counts once per outcome however often that
 * outcome was reported for it. A time no update tells is null, never 0. Exported as CSV and as a
 * PDF summary signed (detached Ed25519) with this node's federation key.
 */
import { createHash } from 'node:crypto';
import { fingerprint as fingerprintOf, type NodeIdentity, verifySignature } from '../exchange/index.js';
import { AllianceError } from '../errors/catalogue.js';
import { requirePermission, type Principal } from '../members/principal.js';
import { findOperation, operationUpdates, type OperationRow, referredTargets, type Store, targetsByCountry } from '../store/index.js';
import { OUTCOMES, type Outcome } from './leads.js';
import { textPdf } from './text-pdf.js';

export type OutcomeCounts = Record<Outcome, number>;

/** One line of the picture: a receiving country (null: targets with no country — not referred), or the whole operation. */
export interface PictureLine {
  country: string | null;
  /** The receiving authority's peer its latest package went to (null: none). */
  authority: string | null;
  targets: number;
  held: number;
  referred: number;
  acknowledged: number;
  accepted: number;
  declined: number;
  /** Targets with each outcome (once per target however often it was reported). */
  outcomes: OutcomeCounts;
  /** People: the victims safeguarded the receivers counted (the latest count reported per target). */
  victims_safeguarded: number;
  median_hours_to_acknowledge: number | null;
  median_days_to_first_action: number | null;
  median_days_to_charge: number | null;
}

export interface PictureDay {
  date: string;
  referred: number;
  acknowledged: number;
  accepted: number;
  first_actions: number;
  charged: number;
}

export interface Picture {
  operation_id: number;
  generated_at: string;
  totals: PictureLine;
  countries: PictureLine[];
  timeline: PictureDay[];
}

/** A detached signature of a picture's PDF: Ed25519 over its exact bytes with this node's federation key. */
export interface PictureSignature {
  algorithm: 'ed25519';
  signed_by: string;
  key: string;
  fingerprint: string;
  sha256: string;
  signature: string;
}

/** What is known of one target on one line. */
interface TargetState {
  sentAt: number;
  ackAt: number | null;
  acceptedAt: number | null;
  declined: boolean;
  outcomes: Map<string, number>;
  victims: { at: number; seq: number; count: number } | null;
}

/** What is known of one package: when its receiver first answered, and whether it accepted or declined. */
interface PackageState {
  ackAt: number | null;
  acceptedAt: number | null;
  declined: boolean;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const round2 = (x: number) => Math.round(x * 100) / 100;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const noOutcomes = (): OutcomeCounts => Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as OutcomeCounts;

const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

function lineOf(country: string | null, authority: string | null, targets: number, held: number, states: Iterable<TargetState>): PictureLine {
  const line: PictureLine = {
    country,
    authority,
    targets,
    held,
    referred: 0,
    acknowledged: 0,
    accepted: 0,
    declined: 0,
    outcomes: noOutcomes(),
    victims_safeguarded: 0,
    median_hours_to_acknowledge: null,
    median_days_to_first_action: null,
    median_days_to_charge: null,
  };
  const ack: number[] = [];
  const first: number[] = [];
  const charge: number[] = [];
  for (const s of states) {
    line.referred++;
    if (s.ackAt !== null) {
      line.acknowledged++;
      ack.push((s.ackAt - s.sentAt) / HOUR);
    }
    if (s.acceptedAt !== null) line.accepted++;
    else if (s.declined) line.declined++;
    for (const o of s.outcomes.keys()) line.outcomes[o as Outcome]++;
    if (s.outcomes.size) first.push((Math.min(...s.outcomes.values()) - s.sentAt) / DAY);
    const charged = s.outcomes.get('charged');
    if (charged !== undefined) charge.push((charged - s.sentAt) / DAY);
    line.victims_safeguarded += s.victims?.count ?? 0;
  }
  const m = (v: number[]) => {
    const x = median(v);
    return x === null ? null : round2(x);
  };
  line.median_hours_to_acknowledge = m(ack);
  line.median_days_to_first_action = m(first);
  line.median_days_to_charge = m(charge);
  return line;
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

function timelineOf(states: Iterable<TargetState>): PictureDay[] {
  const days = new Map<string, PictureDay>();
  const bump = (t: number | null | undefined, k: keyof Omit<PictureDay, 'date'>) => {
    if (t === null || t === undefined) return;
    const d = day(t);
    let e = days.get(d);
    if (!e) days.set(d, (e = { date: d, referred: 0, acknowledged: 0, accepted: 0, first_actions: 0, charged: 0 }));
    e[k]++;
  };
  for (const s of states) {
    bump(s.sentAt, 'referred');
    bump(s.ackAt, 'acknowledged');
    bump(s.acceptedAt, 'accepted');
    bump(s.outcomes.size ? Math.min(...s.outcomes.values()) : null, 'first_actions');
    bump(s.outcomes.get('charged'), 'charged');
  }
  return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
}

export class PictureService {
  constructor(
    private readonly store: Store,
    private readonly federation: { self: { name: string }; identity: NodeIdentity; keyOf(member: string): Promise<string | undefined> },
  ) {}

  private async operation(id: number): Promise<OperationRow> {
    const op = Number.isSafeInteger(id) ? await findOperation(this.store.db, id) : undefined;
    if (!op) throw new AllianceError('OPERATION_NOT_FOUND', `no operation ${String(id).slice(0, 40)}`);
    return op;
  }

  /** The picture with the time its newest figure came (`as_of`: the PDF says it, so the same figures make the same PDF). */
  private async build(op: OperationRow): Promise<{ picture: Picture; asOf: number }> {
    const db = this.store.db;
    const [byCountry, referred, updates] = await Promise.all([targetsByCountry(db, op.id), referredTargets(db, op.id), operationUpdates(db, op.id)]);
    let asOf = op.created_at;
    const packages = new Map<string, PackageState>();
    for (const u of updates) {
      asOf = Math.max(asOf, u.created_at);
      let p = packages.get(u.package_uid);
      if (!p) packages.set(u.package_uid, (p = { ackAt: null, acceptedAt: null, declined: false }));
      if (u.type === 'acknowledged' || u.type === 'accepted' || u.type === 'declined') p.ackAt = minOf(p.ackAt, u.at);
      if (u.type === 'accepted') p.acceptedAt = minOf(p.acceptedAt, u.at);
      if (u.type === 'declined') p.declined = true;
    }
    // Per line (the country a package went to) and for the operation: what is known of each target.
    const lines = new Map<string, { authority: string | null; targets: Map<string, TargetState> }>();
    const total = new Map<string, TargetState>();
    const byPackage = new Map<string, Array<TargetState>>();
    const take = (states: Map<string, TargetState>, ref: string, sentAt: number, p: PackageState | undefined): TargetState => {
      let s = states.get(ref);
      if (!s) states.set(ref, (s = { sentAt, ackAt: null, acceptedAt: null, declined: false, outcomes: new Map(), victims: null }));
      s.sentAt = Math.min(s.sentAt, sentAt);
      if (p) {
        s.ackAt = minOf(s.ackAt, p.ackAt);
        s.acceptedAt = minOf(s.acceptedAt, p.acceptedAt);
        s.declined ||= p.declined;
      }
      return s;
    };
    for (const r of referred) {
      asOf = Math.max(asOf, r.sent_at);
      let line = lines.get(r.country);
      if (!line) lines.set(r.country, (line = { authority: null, targets: new Map() }));
      line.authority = r.peer; // packages come in the order they were built: the latest one's receiver
      const p = packages.get(r.package_uid);
      const key = `${r.package_uid}\n${r.ref}`;
      byPackage.set(key, [take(line.targets, r.ref, r.sent_at, p), take(total, r.ref, r.sent_at, p)]);
    }
    for (const u of updates) {
      if (u.type !== 'outcome' || !u.target_ref || !u.outcome) continue;
      for (const s of byPackage.get(`${u.package_uid}\n${u.target_ref}`) ?? []) {
        const was = s.outcomes.get(u.outcome);
        if (was === undefined || u.at < was) s.outcomes.set(u.outcome, u.at);
        if (u.outcome === 'victims_safeguarded' && u.count !== null && (!s.victims || u.at > s.victims.at || (u.at === s.victims.at && u.seq > s.victims.seq)))
          s.victims = { at: u.at, seq: u.seq, count: u.count };
      }
    }
    const counts = new Map<string | null, { targets: number; held: number }>();
    for (const c of byCountry) {
      const e = counts.get(c.country) ?? { targets: 0, held: 0 };
      counts.set(c.country, { targets: e.targets + c.n, held: e.held + c.held });
    }
    const names = [...new Set([...counts.keys(), ...lines.keys()])].sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
    const countries = names.map((c) => {
      const l = c === null ? undefined : lines.get(c);
      const n = counts.get(c) ?? { targets: 0, held: 0 };
      return lineOf(c, l?.authority ?? null, n.targets, n.held, l?.targets.values() ?? []);
    });
    const all = [...counts.values()].reduce((a, b) => ({ targets: a.targets + b.targets, held: a.held + b.held }), { targets: 0, held: 0 });
    return {
      picture: {
        operation_id: op.id,
        generated_at: new Date().toISOString(),
        totals: lineOf(null, null, all.targets, all.held, total.values()),
        countries,
        timeline: timelineOf(total.values()),
      },
      asOf,
    };
  }

  async picture(actor: Principal, id: number): Promise<Picture> {
    requirePermission(actor, 'cases');
    return (await this.build(await this.operation(id))).picture;
  }

  async csv(actor: Principal, id: number): Promise<string> {
    return pictureCsv(await this.picture(actor, id));
  }

  /** The PDF summary and its detached signature (the same figures make the same bytes, so the same signature). */
  async pdf(actor: Principal, id: number): Promise<{ pdf: Buffer; signature: PictureSignature; filename: string }> {
    requirePermission(actor, 'cases');
    const op = await this.operation(id);
    const { picture, asOf } = await this.build(op);
    const pdf = picturePdf(op, picture, asOf, this.federation.self.name, this.federation.identity.fingerprint);
    return { pdf, signature: this.sign(pdf), filename: `operation-${op.id}-picture.pdf` };
  }

  sign(data: Buffer): PictureSignature {
    const id = this.federation.identity;
    return {
      algorithm: 'ed25519',
      signed_by: this.federation.self.name,
      key: id.publicKey,
      fingerprint: id.fingerprint,
      sha256: createSha256(data),
      signature: id.sign(data),
    };
  }

  /**
   * Whether `signature` is a signature of `pdf` by `key`, and whose key it is: this node's, a
   * registered peer's (`signer` must be the peer the signature names), or unknown (null).
   */
  async verify(
    actor: Principal,
    pdf: Buffer,
    sig: { signature: string; key: string; signed_by?: string | null },
  ): Promise<{ valid: boolean; key: string; signer: string | null; fingerprint: string | null; reason: string }> {
    requirePermission(actor, 'cases');
    const key = String(sig.key ?? '');
    const ok = typeof sig.signature === 'string' && verifySignature(key, pdf, sig.signature);
    let signer: string | null = null;
    if (key === this.federation.identity.publicKey) signer = this.federation.self.name;
    else if (sig.signed_by && (await this.federation.keyOf(sig.signed_by)) === key) signer = sig.signed_by;
    const fp = ok ? fingerprintOf(key) : null;
    return {
      valid: ok,
      key,
      signer,
      fingerprint: fp,
      reason: !ok
        ? 'the signature does not verify: the PDF was altered, or it was signed with another key'
        : signer
          ? `signed by ${signer}'s federation key`
          : 'the signature verifies, but the key is neither this node’s nor the registered key of the node it names',
    };
  }
}

const createSha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export const PICTURE_CSV_HEADER = [
  'country',
  'authority',
  'targets',
  'held',
  'referred',
  'acknowledged',
  'accepted',
  'declined',
  ...OUTCOMES.map((o) => (o === 'victims_safeguarded' ? 'targets_with_victims_safeguarded' : o)),
  'victims_safeguarded',
  'median_hours_to_acknowledge',
  'median_days_to_first_action',
  'median_days_to_charge',
];

/** RFC 4180: a header, one row per country (the unattributed as "none"), then the totals ("total"); an unknown time is empty, not 0. */
export function pictureCsv(p: Picture): string {
  const field = (v: string | number | null) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const row = (l: PictureLine, country: string) =>
    [
      country,
      l.authority,
      l.targets,
      l.held,
      l.referred,
      l.acknowledged,
      l.accepted,
      l.declined,
      ...OUTCOMES.map((o) => l.outcomes[o]),
      l.victims_safeguarded,
      l.median_hours_to_acknowledge,
      l.median_days_to_first_action,
      l.median_days_to_charge,
    ]
      .map(field)
      .join(',');
  const rows = [PICTURE_CSV_HEADER.join(','), ...p.countries.map((l) => row(l, l.country ?? 'none')), row(p.totals, 'total')];
  return rows.map((r) => `${r}\r\n`).join('');
}

const fmt = (v: number | null) => (v === null ? 'not known' : String(v));

/** The PDF summary: a text table per country and the timeline, and who signs it. */
export function picturePdf(op: OperationRow, p: Picture, asOf: number, self: string, fp: string): Buffer {
  const pad = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}~` : s.padEnd(n));
  const lpad = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s.padStart(n));
  const cols: Array<[string, number, (l: PictureLine) => string]> = [
    ['country', 8, (l) => l.country ?? ''],
    ['authority', 16, (l) => l.authority ?? '-'],
    ['targets', 8, (l) => String(l.targets)],
    ['held', 6, (l) => String(l.held)],
    ['referred', 9, (l) => String(l.referred)],
    ['ack', 6, (l) => String(l.acknowledged)],
    ['accepted', 9, (l) => String(l.accepted)],
    ['declined', 9, (l) => String(l.declined)],
    ['arrested', 9, (l) => String(l.outcomes.arrested)],
    ['charged', 8, (l) => String(l.outcomes.charged)],
    ['convicted', 10, (l) => String(l.outcomes.convicted)],
    ['victims', 8, (l) => String(l.victims_safeguarded)],
    ['h to ack', 10, (l) => fmt(l.median_hours_to_acknowledge)],
    ['d to act', 10, (l) => fmt(l.median_days_to_first_action)],
    ['d to charge', 11, (l) => fmt(l.median_days_to_charge)],
  ];
  const tableRow = (cells: string[]) => cells.map((c, i) => (i < 2 ? pad(c, cols[i][1]) : lpad(c, cols[i][1]))).join(' ');
  const lines: string[] = [
    `Operation ${op.name} (${op.uid})`,
    `Owner agency: ${op.owner_agency}   Contact point: ${op.contact_point}`,
    `Legal basis: ${op.legal_basis}`,
    `Figures as of ${new Date(asOf).toISOString()} from the signed status updates of the receiving authorities.`,
    '',
    'Per receiving country (counts are targets; times are medians from referral; "not known": no update says)',
    '',
    tableRow(cols.map((c) => c[0])),
    ...p.countries.map((l) => tableRow(cols.map((c) => (c[0] === 'country' && l.country === null ? 'none' : c[2](l))))),
    tableRow(cols.map((c) => (c[0] === 'country' ? 'TOTAL' : c[0] === 'authority' ? '' : c[2](p.totals)))),
    '',
    `Outcomes, targets: ${OUTCOMES.map((o) => `${o.replace(/_/g, ' ')} ${p.totals.outcomes[o]}`).join(', ')}.`,
    `Victims safeguarded (people): ${p.totals.victims_safeguarded}.`,
    '',
    'Timeline (targets per day, UTC)',
    '',
    `${pad('date', 12)}${lpad('referred', 10)}${lpad('ack', 8)}${lpad('accepted', 10)}${lpad('1st action', 12)}${lpad('charged', 9)}`,
    ...p.timeline.map(
      (d) =>
        `${pad(d.date, 12)}${lpad(String(d.referred), 10)}${lpad(String(d.acknowledged), 8)}${lpad(String(d.accepted), 10)}${lpad(String(d.first_actions), 12)}${lpad(String(d.charged), 9)}`,
    ),
    ...(p.timeline.length === 0 ? ['(nothing referred yet)'] : []),
    '',
    `Signed by ${self} with its federation key (fingerprint ${fp}): a detached Ed25519 signature of this file's exact bytes`,
    'comes with it (picture.pdf.sig); check it with `alliance operation verify-picture FILE.pdf FILE.pdf.sig`.',
  ];
  return textPdf(lines, { title: `Operation ${op.name}: the picture` });
}
