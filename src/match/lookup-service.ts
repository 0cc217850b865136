/**
 * Lookups with their reasons: which bank and content matched, through which signal, at which
 * distance — and what did not count and why (bank matching disabled, content disabled until a
 * date, outside the bank's enabled ratio, suppressed by a negative bank).
 */
import type { Classification } from '../banks/classification.js';
import { getSignalType, thresholdFor } from '../signals/index.js';
import { type Bank, type BankContent, matchContexts, type MatchContext, parseJson, requireBanks, seriesOfContents, type Store } from '../store/index.js';
import type { IndexMatch } from '../index/index.js';
import type { Matcher } from './matcher.js';
import { type AllianceError, toAllianceError } from '../errors/catalogue.js';

export interface LookupOptions {
  /** Only these banks (names). */
  banks?: string[];
  /** Override the signal type's default threshold. */
  threshold?: number;
  /** Ignore bank/content enablement (HMA's raw_lookup). Negative banks still suppress. */
  raw?: boolean;
  /**
   * HMA's coin-flip: one value in [0, 1) for the whole request; a bank takes part when its
   * ratio ≥ coin (0 = bypass). Default: a stable coin per content id, so a bank's enabled ratio
   * selects a fixed share of its content.
   */
  coin?: number;
  /** Name the series of matched content (default true; the check API does not need them). */
  series?: boolean;
  /** Refuse (BANK_NOT_FOUND, naming the nearest) a `banks` filter that names a bank that does not exist. */
  knownBanks?: boolean;
  /** Give each match its content's uid (the submission path keeps it; the lookup APIs do not show it). */
  uids?: boolean;
}

export interface Match {
  bank: string;
  bank_kind: 'positive' | 'negative';
  content_id: number;
  signal_id: number;
  signal_type: string;
  distance: number;
  classification: Classification | null;
  tags: string[];
  detail?: Record<string, number>;
  /** The series the content belongs to (victim identification), when it is linked to any. */
  series?: Array<{ uid: string; name: string; status: string; owner_member: string; victims: number }>;
  /** Where the content comes from: the member and bank that first held it and who passed it on. */
  provenance: Provenance;
  /** The content's uid, when asked for (LookupOptions.uids). */
  content_uid?: string | null;
}

/**
 * A match's provenance. Content received from a peer keeps what its feed said: the origin member
 * and bank, and the chain of members that passed it on, origin first (the last is the peer it
 * came from). This node's own content names this node's member, the local bank, and a chain of
 * this node alone. `first_seen` is when the origin first saw it (ISO 8601).
 */
export interface Provenance {
  origin_member: string;
  origin_bank: string;
  chain: string[];
  first_seen: string;
}

export interface NotCounted extends Match {
  reason: string;
}

export interface LookupResult {
  signal_type: string;
  threshold: number;
  /** Matches that count: positive banks, enabled, not suppressed. What a caller acts on. */
  matches: Match[];
  /** Matches in negative banks (allow-lists); when present, they suppress every positive match. */
  allow_listed: Match[];
  /** Positive matches set aside because the content is on a negative bank. */
  suppressed: Array<Match & { suppressed_by: { bank: string; content_id: number; distance: number } }>;
  /** Matches that did not count, with the reason. */
  not_counted: NotCounted[];
  /** One sentence per decision, for people. */
  explanation: string[];
}

/** A stable pseudo-random value in [0, 1) per content id: the enabled-ratio coin. */
export function contentCoin(contentId: number): number {
  let x = Math.imul(contentId ^ 0x9e3779b9, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0) / 0x100000000;
}

export class LookupService {
  constructor(
    private readonly store: Store,
    private readonly matcher: Matcher,
    /** This node's member (the origin of its own content); read at each lookup. */
    private readonly self: { readonly name: string },
  ) {}

  async lookup(signalType: string, signal: string, options: LookupOptions = {}): Promise<LookupResult> {
    // "0 matches" in a bank that does not exist would be a wrong answer, not an empty one.
    if (options.knownBanks && options.banks) await requireBanks(this.store.db, options.banks);
    const [outcome] = await this.resolve([{ signal_type: signalType, signal, threshold: options.threshold }], options);
    if (outcome.error) throw outcome.error;
    return outcome.result;
  }

  /**
   * Many lookups in one call, each answered as `lookup` answers it alone (the same options, the
   * item's threshold first). A bad item (unknown type, malformed signal) gets its error and the
   * others their answers; a bank that does not exist refuses the whole batch, before any lookup.
   * The database is read once for the whole batch (matched contents, then their series).
   */
  async lookupBatch(items: readonly BatchItem[], options: Omit<LookupOptions, 'knownBanks'> = {}): Promise<BatchOutcome[]> {
    if (options.banks) await requireBanks(this.store.db, options.banks);
    return this.resolve(items, options);
  }

  private async resolve(items: readonly BatchItem[], options: LookupOptions): Promise<BatchOutcome[]> {
    return this.settle(await this.queryIndex(items, options), options);
  }

  /**
   * The index half of `lookupBatch` (no database read): each item's hits, or the error that
   * refused it. `settle` makes the answers of them.
   */
  async queryIndex(items: readonly BatchItem[], options: Pick<LookupOptions, 'threshold'> = {}): Promise<Queried[]> {
    const queried: Queried[] = new Array(items.length);
    // Items of a type whose index answers batches, grouped by type and threshold: one query each group.
    const groups = new Map<string, { type: string; threshold: number; at: number[]; values: string[] }>();
    for (const [i, item] of items.entries()) {
      try {
        const type = getSignalType(item.signal_type);
        const value = (type.normalizeQuery ?? type.normalize)(item.signal);
        const threshold = thresholdFor(type, item.threshold ?? options.threshold);
        if (items.length > 1 && this.matcher.batches(type.name)) {
          const key = `${type.name} ${threshold}`;
          const group = groups.get(key) ?? groups.set(key, { type: type.name, threshold, at: [], values: [] }).get(key)!;
          group.at.push(i);
          group.values.push(value);
        } else queried[i] = { type: type.name, threshold, hits: await this.matcher.query(type.name, value, threshold) };
      } catch (err) {
        queried[i] = toAllianceError(err);
      }
    }
    for (const { type, threshold, at, values } of groups.values()) {
      try {
        const hits = await this.matcher.queryBatch(type, values, threshold);
        at.forEach((i, k) => (queried[i] = { type, threshold, hits: hits[k] }));
      } catch (err) {
        for (const i of at) queried[i] = toAllianceError(err);
      }
    }
    return queried;
  }

  /**
   * The answers of what `queryIndex` found, from one read of every hit's content and bank — or
   * from `contexts`, read already for these hits (a submission group reads its writes' at its
   * start: store/submissions-repo.ts): a hit it lacks was deleted since the query.
   */
  async settle(queried: readonly Queried[], options: LookupOptions, read?: ReadonlyMap<number, MatchContext>): Promise<BatchOutcome[]> {
    const contexts = read ?? new Map((await matchContexts(this.store, hitIds(queried))).map((c) => [c.signal_id, c]));
    const wanted = options.banks ? new Set(options.banks) : undefined;
    const t = Date.now();
    const outcomes = queried.map((q): BatchOutcome => {
      if (!('hits' in q)) return { error: q };
      const result: LookupResult = {
        signal_type: q.type,
        threshold: q.threshold,
        matches: [],
        allow_listed: [],
        suppressed: [],
        not_counted: [],
        explanation: [],
      };
      if (q.hits.length === 0) {
        result.explanation.push(`no ${q.type} signal within the threshold (${q.threshold})`);
        return { result };
      }
      const positives: Match[] = [];
      const negatives: Match[] = [];
      for (const hit of q.hits) {
        const context = contexts.get(hit.id);
        if (!context || (wanted && !wanted.has(context.bank.name))) continue;
        const { bank, content } = context;
        const match = toMatch(bank, content, hit.id, q.type, hit.distance, hit.detail, this.self.name);
        if (options.uids) match.content_uid = content.uid;
        const reason = options.raw ? undefined : whyNotCounted(bank, content, t, options.coin);
        if (reason) {
          result.not_counted.push({ ...match, reason });
          result.explanation.push(`${describe(match)} does not count: ${reason}`);
        } else (bank.kind === 'negative' ? negatives : positives).push(match);
      }
      const byDistance = (a: Match, b: Match) => a.distance - b.distance || a.content_id - b.content_id;
      negatives.sort(byDistance);
      positives.sort(byDistance);
      if (negatives.length > 0) {
        const by = negatives[0];
        for (const p of positives) {
          result.suppressed.push({ ...p, suppressed_by: { bank: by.bank, content_id: by.content_id, distance: by.distance } });
          result.explanation.push(
            `${describe(p)} is suppressed: the content is on negative bank ${by.bank} (content ${by.content_id}, distance ${by.distance})`,
          );
        }
        result.allow_listed = negatives;
        for (const n of negatives) result.explanation.push(`${describe(n)} matches an allow-list entry`);
      } else {
        result.matches = positives;
        for (const p of positives) result.explanation.push(`${describe(p)} matches`);
      }
      return { result };
    });
    // 3. One read of the series of every content that matched (victim identification).
    if (options.series !== false) {
      const matched = outcomes.flatMap((o) => o.result?.matches ?? []);
      if (matched.length) {
        const series = await seriesOfContents(this.store.db, [...new Set(matched.map((m) => m.content_id))]);
        for (const m of matched) {
          const s = series.get(m.content_id);
          if (s) m.series = s.map(({ uid, name, status, owner_member, victims }) => ({ uid, name, status, owner_member, victims }));
        }
      }
    }
    return outcomes;
  }
}

/** What the index found for one item of a lookup (LookupService.queryIndex), or why it was refused. */
export type Queried = { type: string; threshold: number; hits: IndexMatch[] } | AllianceError;

/** The signal ids that `queried` hit, once each (whose contexts LookupService.settle reads). */
export function hitIds(queried: readonly Queried[]): number[] {
  return [...new Set(queried.flatMap((q) => ('hits' in q ? q.hits.map((h) => h.id) : [])))];
}

/** One signal of a batch lookup. */
export interface BatchItem {
  signal_type: string;
  signal: string;
  threshold?: number;
}

/** One batch item's answer: its lookup, or the error that refused it alone. */
export type BatchOutcome = { result: LookupResult; error?: undefined } | { result?: undefined; error: AllianceError };

function toMatch(
  bank: Bank,
  content: BankContent,
  signalId: number,
  signalType: string,
  distance: number,
  detail: Record<string, number> | undefined,
  self: string,
): Match {
  return {
    bank: bank.name,
    bank_kind: bank.kind === 'negative' ? 'negative' : 'positive',
    content_id: content.id,
    signal_id: signalId,
    signal_type: signalType,
    distance,
    classification: parseJson<Classification | null>(content.classification, null),
    tags: parseJson<string[]>(content.tags, []),
    ...(detail ? { detail } : {}),
    provenance: provenanceOf(bank, content, self),
  };
}

/** Received content as its feed described it; own content as this node's. */
export function provenanceOf(
  bank: Pick<Bank, 'name'>,
  content: Pick<BankContent, 'origin_member' | 'origin_bank' | 'chain' | 'first_seen'>,
  self: string,
): Provenance {
  const chain = parseJson<unknown>(content.chain, null);
  const names = Array.isArray(chain) ? chain.filter((m): m is string => typeof m === 'string') : [];
  const origin = content.origin_member ?? names[0] ?? self;
  return {
    origin_member: origin,
    origin_bank: content.origin_bank ?? bank.name,
    chain: names.length ? names : [origin],
    first_seen: new Date(Number(content.first_seen)).toISOString(),
  };
}

/** One line for people: "from hotline-nl/KNOWN via hotline-nl → authority-de, first seen …". */
export function describeProvenance(p: Provenance): string {
  return `from ${p.origin_member}/${p.origin_bank} via ${p.chain.join(' → ')}, first seen ${p.first_seen}`;
}

function whyNotCounted(bank: Bank, content: BankContent, t: number, coin: number | undefined): string | undefined {
  if (content.disabled_until !== null && content.disabled_until > t)
    return `content ${content.id} is disabled until ${new Date(content.disabled_until).toISOString()}`;
  if (coin === undefined) {
    if (!bank.matching_enabled) return `matching is disabled on bank ${bank.name}`;
    if (bank.enabled_ratio < 1 && contentCoin(content.id) >= bank.enabled_ratio)
      return `content ${content.id} is outside bank ${bank.name}'s enabled ratio (${bank.enabled_ratio})`;
    return undefined;
  }
  const ratio = bank.matching_enabled ? bank.enabled_ratio : 0;
  if (coin > ratio) return `bank ${bank.name}'s matching ratio ${ratio} is below this request's coin-flip ${coin.toFixed(3)}`;
  return undefined;
}

function describe(m: Match): string {
  return `${m.signal_type} signal ${m.signal_id} of content ${m.content_id} in bank ${m.bank} (distance ${m.distance})`;
}
