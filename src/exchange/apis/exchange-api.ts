/**
 * The extension point for external exchanges (the python-threatexchange lesson, its
 * SignalExchangeAPI): an adapter declares its name, the schemas of its configuration and of its
 * credentials (validated before they are stored), an opaque JSON checkpoint (which may go stale:
 * then the fetch starts over), `fetch(checkpoint)` yielding pages of upserts and deletes, an
 * optional `sendOpinion`, and an optional `status` (what the remote says about us). Adding an
 * exchange is one file here and one line in `registry.ts`; the ExchangeService stores exchanges,
 * credentials (encrypted at rest) and checkpoints, applies each page in one transaction with its
 * checkpoint (so a crash loses nothing and repeats nothing), and records the fetch status.
 */
import type { TSchema } from 'typebox';
import type { Entry } from '../page.js';
import type { RemoteHttp } from './remote-http.js';

/** A verdict on received content, as Alliance says it. */
export type ExchangeOpinion = 'confirmed' | 'false_positive' | 'disputed';
export const OPINIONS: readonly ExchangeOpinion[] = ['confirmed', 'false_positive', 'disputed'];

/** One page of changes, in order, and the checkpoint that is true once they are applied. */
export interface ExchangePage<C> {
  /** Upserts carry the item (signals, classification, tags, metadata), deletes only its uid. */
  deltas: Entry[];
  checkpoint: C;
  /** Entries the remote sent that carry no signal Alliance can match (kept out, counted). */
  unmatchable?: number;
  /** How far the remote is, in the checkpoint's positions (the Alliance feed: to show the lag). */
  latest?: number;
  /** Values dropped because they cannot become a signal (an MD5 that is not one): why, each; the page is applied without them. */
  rejected?: string[];
}

/** Signed requests with this node's key to one registered Alliance peer (the federation feed's transport). */
export interface PeerLink {
  /** The peer's registered public key (what it sends is verified with it). */
  publicKey: string;
  request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown>;
}

/** What an adapter is given to do its work: its configuration, its credentials, and HTTP with limits. */
export interface ExchangeContext<Config, Credentials> {
  /** The exchange's name on this node (also its bank's name). */
  name: string;
  config: Config;
  /** null when none are set (adapters that need them throw EXCHANGE_AUTH). */
  credentials: Credentials | null;
  /** Bounded HTTP: timeouts, size caps, retries with back-off on 5xx/timeouts (remote-http.ts). */
  http: RemoteHttp;
  /** This node's member name. */
  self: string;
  /** The clock (tests move it). */
  now(): number;
  /** Aborted when the node stops or the fetch ran past its time budget. */
  signal: AbortSignal;
  /** The registered Alliance peers, for the federation feed (apis/alliance.ts); absent where there are none to reach. */
  peers?: (name: string) => Promise<PeerLink>;
}

/** The content an opinion is about, as the exchange delivered it. */
export interface OpinionTarget {
  uid: string;
  /** The content's metadata (what the adapter stored with it, e.g. NCMEC's member/kind/id). */
  metadata: Record<string, unknown> | null;
  /** The content's signals (type, value). */
  signals: Array<{ type: string; value: string }>;
}

export interface ExchangeApi<Config = Record<string, unknown>, Credentials = Record<string, unknown>, Checkpoint = unknown> {
  /** The API's name (HMA's name where HMA has the same API: "ncmec", "fb_threatexchange", "sample"). */
  readonly name: string;
  /** One sentence for people (listed by `alliance exchange apis` and the UI). */
  readonly description: string;
  /** The configuration of one exchange (environment, privacy group, …), validated on create and update. */
  readonly configSchema: TSchema;
  /** The credentials of the API on this node (shared by its exchanges), or null when it needs none. */
  readonly credentialSchema: TSchema | null;
  /**
   * Reads a stored checkpoint (opaque JSON); null when there is none yet, or when it has gone stale
   * (too old for the remote's incremental answers): the next fetch then starts from the beginning.
   */
  readCheckpoint(stored: unknown, now: number): Checkpoint | null;
  /** The position of a checkpoint as a time (ms since the epoch) for HMA's `checkpoint_ts`, when it has one. */
  checkpointTime?(checkpoint: Checkpoint): number | null;
  /** Pages of changes after `checkpoint` (null: from the beginning), until the remote is caught up. */
  fetch(ctx: ExchangeContext<Config, Credentials>, checkpoint: Checkpoint | null): AsyncIterable<ExchangePage<Checkpoint>>;
  /** Sends a verdict back; returns what the remote answered (recorded with the opinion). */
  sendOpinion?(
    ctx: ExchangeContext<Config, Credentials>,
    target: OpinionTarget,
    opinion: ExchangeOpinion,
    reason: string | null,
  ): Promise<Record<string, unknown>>;
  /** What the remote says about this node's access (NCMEC's /v2/status, ThreatExchange's app), for `exchange status`. */
  status?(ctx: ExchangeContext<Config, Credentials>): Promise<Record<string, unknown>>;
}
