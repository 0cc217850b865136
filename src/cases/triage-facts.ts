/**
 * What the contents a file matched say of it, for triage: the VICS flags a case gave each Media
 * (victim identified, offender identified, distributed, self-generated, suspected), its tags,
 * comments and series names, and the series registry's word on victims and offenders.
 *
 * Each source makes dated statements: a VICS Media at its DateUpdated (else when it was imported
 * or last changed here), a series at the time of its identification (victim_identified_at,
 * offender_identified_at) or, for "not identified", at its last change — except a series an
 * import created from a name in a file and nobody has changed since, which says nothing of its
 * own. When statements disagree the newest wins (a tie: the one that says "identified"), and the
 * answer names its source. With no statement at all a flag is false and its source null.
 */
import { type LinkedSeries, parseJson } from '../store/index.js';
import type { Match, Provenance } from '../match/lookup-service.js';

export interface ContentFacts {
  id: number;
  metadata: string | null;
  note: string | null;
  tags: string;
  first_seen: number;
  updated_at: number;
}

/** Where the facts come from (the store, in the node). */
export interface FactsSource {
  contents(ids: number[]): Promise<Map<number, ContentFacts>>;
  series(ids: number[]): Promise<Map<number, LinkedSeries[]>>;
}

export const FLAG_NAMES = ['victim_identified', 'offender_identified', 'distributed', 'self_generated', 'suspected'] as const;
export type FlagName = (typeof FLAG_NAMES)[number];

/** The VICS field each flag is read from. */
const VICS_FIELD: Record<FlagName, string> = {
  victim_identified: 'VictimIdentified',
  offender_identified: 'OffenderIdentified',
  distributed: 'IsDistributed',
  self_generated: 'SelfGenerated',
  suspected: 'IsSuspected',
};
export const VICS_FLAG_FIELD: Readonly<Record<FlagName, string>> = VICS_FIELD;

export interface FlagStatement {
  value: boolean;
  /** ISO time of the statement (null when the source gives none). */
  at: string | null;
  /** Who said it, for people: "bank CASE_17, VICS MediaID 4711" or "series Name (uid)". */
  source: string;
}

export interface TriageFacts {
  victim_identified: boolean;
  offender_identified: boolean;
  distributed: boolean;
  self_generated: boolean;
  suspected: boolean;
  /** The statement each flag was taken from (absent: no source says anything). */
  sources: Partial<Record<FlagName, FlagStatement>>;
  tags: string[];
  comments: string[];
  /** Series names the matched contents' files give (VICS `Series`), linked to the registry or not. */
  series_names: string[];
  /** The VICS MediaIDs of the matched contents. */
  media_ids: string[];
  /** Where the nearest matched content comes from: origin member and bank, the chain that passed it on, first seen. */
  provenance: Provenance | null;
}

interface Dated {
  value: boolean;
  t: number;
  source: string;
}

function newest(list: Dated[]): Dated | undefined {
  return list.reduce<Dated | undefined>((best, s) => (!best || s.t > best.t || (s.t === best.t && s.value && !best.value) ? s : best), undefined);
}

function seriesStatements(s: LinkedSeries): Partial<Record<FlagName, Dated>> {
  const source = `series ${s.name} (${s.uid})`;
  const unchangedImport = s.created_by_import === 1 && s.updated_at === s.created_at && s.received_from === null;
  const out: Partial<Record<FlagName, Dated>> = {};
  if (s.victims > 0 || s.victim_identified_at !== null || s.status === 'victim_identified')
    out.victim_identified = { value: true, t: s.victim_identified_at ?? s.updated_at, source };
  else if (!unchangedImport) out.victim_identified = { value: false, t: s.updated_at, source };
  if (s.offender_identified_at !== null || s.status === 'offender_identified')
    out.offender_identified = { value: true, t: s.offender_identified_at ?? s.updated_at, source };
  else if (!unchangedImport) out.offender_identified = { value: false, t: s.updated_at, source };
  return out;
}

/** The facts of the contents `matches` name (positive matches of one file); `nearest` is the match triage reports. */
export async function triageFacts(source: FactsSource, matches: Match[], nearest: Match): Promise<TriageFacts> {
  const ids = [...new Set(matches.map((m) => m.content_id))];
  const bankOf = new Map(matches.map((m) => [m.content_id, m.bank]));
  const [contents, series] = await Promise.all([source.contents(ids), source.series(ids)]);
  const statements = new Map<FlagName, Dated[]>(FLAG_NAMES.map((f) => [f, []]));
  const tags = new Set<string>();
  const comments = new Set<string>();
  const names = new Set<string>();
  const mediaIds = new Set<string>();
  for (const id of ids) {
    const c = contents.get(id);
    if (!c) continue; // deleted since the lookup
    for (const t of parseJson<string[]>(c.tags, [])) tags.add(t);
    if (c.note) comments.add(c.note);
    const vics = parseJson<{ vics?: Record<string, unknown> } | null>(c.metadata, null)?.vics;
    if (!vics) continue;
    const mediaId = typeof vics.MediaID === 'string' || typeof vics.MediaID === 'number' ? String(vics.MediaID) : null;
    if (mediaId) mediaIds.add(mediaId);
    if (typeof vics.Series === 'string')
      for (const n of vics.Series.split(';')
        .map((x) => x.trim())
        .filter(Boolean))
        names.add(n);
    const dated = typeof vics.DateUpdated === 'string' ? Date.parse(vics.DateUpdated) : NaN;
    const t = Number.isNaN(dated) ? c.updated_at : dated;
    const from = `bank ${bankOf.get(id)}${mediaId ? `, VICS MediaID ${mediaId}` : ', VICS'}`;
    for (const f of FLAG_NAMES) statements.get(f)!.push({ value: vics[VICS_FIELD[f]] === true, t, source: from });
  }
  for (const list of series.values()) {
    for (const s of list) {
      names.add(s.name);
      for (const [f, st] of Object.entries(seriesStatements(s)) as Array<[FlagName, Dated]>) statements.get(f)!.push(st);
    }
  }
  const facts: TriageFacts = {
    victim_identified: false,
    offender_identified: false,
    distributed: false,
    self_generated: false,
    suspected: false,
    sources: {},
    tags: [...tags],
    comments: [...comments],
    series_names: [...names],
    media_ids: [...mediaIds],
    provenance: nearest.provenance ?? null,
  };
  for (const f of FLAG_NAMES) {
    const won = newest(statements.get(f)!);
    if (!won) continue;
    facts[f] = won.value;
    facts.sources[f] = { value: won.value, at: Number.isFinite(won.t) ? new Date(won.t).toISOString() : null, source: won.source };
  }
  return facts;
}

/** "series X (uid) at 2026-…" — a flag's source for one line of text. */
export function describeSource(s: FlagStatement | undefined): string {
  return s ? `${s.source}${s.at ? ` at ${s.at}` : ''}` : '';
}
