/**
 * Feed pages: what a publisher sends a subscriber, and the checks a subscriber makes before
 * applying one. A page is addressed (publisher, subscriber, bank), positioned (`since` = the
 * subscriber's checkpoint, `to` = the last position it covers) and its entries are in order within
 * (since, to] — so a replayed old page, a page for someone else and a gap are all refused.
 */
import { failWith } from '../errors/catalogue.js';
import { getSignalType } from '../signals/index.js';
import { parseClassification } from '../banks/classification.js';

export const PAGE_FORMAT = 'alliance-feed';
export const PAGE_VERSION = 1;

export interface EntrySignal {
  type: string;
  value: string;
  quality?: number | null;
}

export interface UpsertEntry {
  seq: number;
  op: 'upsert';
  uid: string;
  signals: EntrySignal[];
  classification: string | null;
  tags: string[];
  first_seen: string;
  disabled: boolean;
  origin: { member: string; bank: string };
  chain: string[];
  /** Local-only fields, set by file imports (never taken from a peer's page). */
  note?: string | null;
  metadata?: Record<string, unknown> | null;
}

export interface DeleteEntry {
  seq: number;
  op: 'delete';
  uid: string;
}

export type Entry = UpsertEntry | DeleteEntry;

export interface Page {
  format: typeof PAGE_FORMAT;
  version: number;
  publisher: string;
  subscriber: string;
  bank: string;
  since: number;
  to: number;
  latest: number;
  more: boolean;
  generated_at: string;
  entries: Entry[];
}

export interface PageExpectation {
  publisher: string;
  subscriber: string;
  bank: string;
  since: number;
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isStr = (x: unknown, max = 1000): x is string => typeof x === 'string' && x.length > 0 && x.length <= max;

/** Validates a page against what was asked for; returns it typed. Throws FEED_INVALID naming the problem. */
export function checkPage(raw: unknown, want: PageExpectation): Page {
  const bad = failWith('FEED_INVALID');
  const p = raw as Partial<Page>;
  if (typeof p !== 'object' || p === null || p.format !== PAGE_FORMAT) throw bad('not a feed page');
  if (p.version !== PAGE_VERSION) throw bad(`unsupported page version ${String(p.version)}`);
  if (p.publisher !== want.publisher) throw bad(`page published by "${String(p.publisher)}", expected "${want.publisher}"`);
  if (p.subscriber !== want.subscriber) throw bad(`page addressed to "${String(p.subscriber)}", not to this node ("${want.subscriber}")`);
  if (p.bank !== want.bank) throw bad(`page of bank "${String(p.bank)}", expected "${want.bank}"`);
  if (!isInt(p.since) || !isInt(p.to) || !isInt(p.latest) || typeof p.more !== 'boolean' || !Array.isArray(p.entries))
    throw bad('page header fields are missing or of the wrong type');
  if (p.since !== want.since) {
    throw bad(
      p.since < want.since
        ? `replayed old page: it starts at ${p.since}, this node is at ${want.since}`
        : `sequence gap: the page starts at ${p.since}, this node is at ${want.since}`,
    );
  }
  if (p.to < p.since || p.latest < p.to) throw bad(`page positions out of order (since ${p.since}, to ${p.to}, latest ${p.latest})`);
  if (p.more && p.to === p.since) throw bad(`the page says more follows but does not move (since ${p.since}, to ${p.to}): a sync would never end`);
  let last = p.since;
  (p.entries as unknown[]).forEach((raw, i) => {
    const e = raw as {
      seq?: unknown;
      uid?: unknown;
      op?: unknown;
      signals?: Array<{ type?: unknown; value?: unknown }>;
      classification?: unknown;
      tags?: unknown[];
      disabled?: unknown;
      first_seen?: unknown;
      origin?: { member?: unknown; bank?: unknown };
      chain?: unknown[];
    };
    const where = `entry ${i + 1}`;
    if (typeof e !== 'object' || e === null || !isInt(e.seq) || !isStr(e.uid, 300)) throw bad(`${where}: seq and uid are required`);
    if (e.seq <= last || e.seq > p.to!) throw bad(`${where}: position ${e.seq} is not after ${last} and within the page (to ${p.to})`);
    last = e.seq;
    if (e.op === 'delete') return;
    if (e.op !== 'upsert') throw bad(`${where}: unknown operation ${String(e.op)}`);
    if (!Array.isArray(e.signals) || e.signals.length === 0 || e.signals.length > 100) throw bad(`${where}: 1 to 100 signals are required`);
    for (const s of e.signals) {
      try {
        if (typeof s?.value !== 'string') throw new Error('signal value missing');
        getSignalType(String(s.type)).normalize(s.value);
      } catch (err) {
        throw bad(`${where}: ${(err as Error).message}`);
      }
    }
    if (e.classification !== null && e.classification !== undefined) {
      try {
        parseClassification(String(e.classification));
      } catch (err) {
        throw bad(`${where}: ${(err as Error).message}`);
      }
    }
    if (!Array.isArray(e.tags) || e.tags.some((t) => !isStr(t, 100))) throw bad(`${where}: tags must be a list of strings`);
    if (typeof e.disabled !== 'boolean' || !isStr(e.first_seen, 40) || Number.isNaN(Date.parse(e.first_seen)))
      throw bad(`${where}: disabled and first_seen are required`);
    if (!e.origin || !isStr(e.origin.member, 100) || !isStr(e.origin.bank, 100)) throw bad(`${where}: origin member and bank are required`);
    if (!Array.isArray(e.chain) || e.chain.length === 0 || e.chain.length > 20 || e.chain.some((m) => !isStr(m, 100)))
      throw bad(`${where}: chain must list 1 to 20 members`);
    // A peer's notes and metadata stay with the peer.
    delete (e as Partial<UpsertEntry>).note;
    delete (e as Partial<UpsertEntry>).metadata;
  });
  return p as Page;
}
