/**
 * The Alliance federation feed as an exchange API, one adapter among the others (NCMEC,
 * ThreatExchange, sample): a published bank of another Alliance node, fetched page by page from
 * its signed feed (`GET /federation/v1/banks/<bank>/feed?since=N`), every page verified before it
 * is yielded (signature by the peer's registered key, addressee, position, entries: page.ts);
 * opinions go back as signed `POST /federation/v1/opinions`. Its checkpoint is the feed position,
 * which never goes stale (the publisher keeps deletions in its feed). It needs no credentials of
 * its own: requests are signed with this node's key through `ctx.peers`, which the
 * FederationService provides (registered peers only). A bundle file (bundle.ts) yields the same
 * pages offline.
 */
import { Type } from 'typebox';
import { AllianceError } from '../../errors/catalogue.js';
import { open } from '../envelope.js';
import { checkPage, type Page } from '../page.js';
import type { ExchangeApi, ExchangeContext, ExchangePage, PeerLink } from './exchange-api.js';

export interface AllianceFeedConfig {
  /** The registered peer that publishes the bank. */
  peer: string;
  /** The bank's name at the peer. */
  bank: string;
}

/** The feed position: every change up to `since` is applied. */
export interface AllianceCheckpoint {
  since: number;
}

const readSince = (stored: unknown): AllianceCheckpoint | null => {
  const since = typeof stored === 'number' ? stored : (stored as Partial<AllianceCheckpoint> | null)?.since;
  return typeof since === 'number' && Number.isSafeInteger(since) && since >= 0 ? { since } : null;
};

function link(ctx: ExchangeContext<AllianceFeedConfig, never>): Promise<PeerLink> {
  if (!ctx.peers) throw new AllianceError('EXCHANGE_CONFIG_INVALID', 'the alliance feed is fetched through a registered peer (alliance subscribe)');
  return ctx.peers(ctx.config.peer);
}

/** A page of a feed as an exchange page: its entries, the position it reaches, the publisher's latest. */
export function feedPage(page: Page): ExchangePage<AllianceCheckpoint> & { more: boolean } {
  return { deltas: page.entries, checkpoint: { since: page.to }, latest: page.latest, more: page.more };
}

export const allianceFeedApi: ExchangeApi<AllianceFeedConfig, never, AllianceCheckpoint> = {
  name: 'alliance',
  description: 'A bank another Alliance node publishes to this one under a sharing agreement (its signed feed)',
  configSchema: Type.Object(
    { peer: Type.String({ minLength: 1, maxLength: 100 }), bank: Type.String({ pattern: '^[A-Z0-9_]{1,100}$' }) },
    { additionalProperties: false },
  ),
  credentialSchema: null,
  readCheckpoint: (stored) => readSince(stored),
  checkpointTime: () => null,
  async *fetch(ctx, checkpoint) {
    const peer = await link(ctx);
    const want = (since: number) => ({ publisher: ctx.config.peer, subscriber: ctx.self, bank: ctx.config.bank, since });
    const get = async (since: number) => {
      const envelope = await peer.request('GET', `/federation/v1/banks/${encodeURIComponent(ctx.config.bank)}/feed?since=${since}`);
      return feedPage(checkPage(open(envelope, peer.publicKey), want(since)));
    };
    let next = get(checkpoint?.since ?? 0);
    for (;;) {
      const page = await next;
      // The next page is asked for while this one is applied: the publisher renders as we write.
      if (page.more) {
        next = get(page.checkpoint.since);
        next.catch(() => undefined); // awaited on the next turn; a failure then is reported there
      }
      yield page;
      if (!page.more) return;
    }
  },
  async sendOpinion(ctx, target, opinion, reason) {
    const peer = await link(ctx);
    const answer = await peer.request('POST', '/federation/v1/opinions', { uid: target.uid, opinion, reason });
    return typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>) : {};
  },
  async status(ctx) {
    const peer = await link(ctx);
    return { peer: ctx.config.peer, published_to_this_node: await peer.request('GET', '/federation/v1/banks') };
  },
};
