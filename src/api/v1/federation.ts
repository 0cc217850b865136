/** /api/v1: peers, publications, subscriptions and their sync status, opinions. */
import { isoOrNull } from '../../time/iso-time.js';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { type FederationService, fingerprint } from '../../exchange/index.js';
import type { SubscriptionRow } from '../../store/index.js';
import { MEMBER_KINDS } from '../../members/roles.js';
import { BankName, BankParams, IdParams } from './schemas.js';
import {
  FederationIdentity,
  OpinionCounts,
  OpinionSent,
  PeerKeyList,
  PeerList,
  PeerRef,
  Publication,
  PublicationList,
  QuarantineRule,
  Subscription,
  SubscriptionList,
  SyncReport,
} from '../contract/index.js';

const iso = isoOrNull;

export function subscriptionView(s: SubscriptionRow): Subscription {
  const checkpoint = Number(s.checkpoint);
  const latest = s.latest === null ? null : Number(s.latest);
  return {
    id: s.id,
    peer: s.peer,
    remote_bank: s.remote_bank,
    bank: s.bank,
    checkpoint,
    latest,
    lag: latest === null ? null : Math.max(0, latest - checkpoint),
    items_received: Number(s.items_received),
    last_attempt_at: iso(s.last_attempt_at),
    last_success_at: iso(s.last_success_at),
    last_error: s.last_error,
    last_error_at: iso(s.last_error_at),
    /** PEER_REFUSED: the peer said no; scheduled syncs skip the subscription until an explicit sync. */
    last_error_code: s.last_error_code,
    paused: s.paused === 1,
  };
}

const Names = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 500 });

export async function federationRoutes(app: FastifyInstance, opts: { federation: FederationService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { federation } = opts;

  r.get(
    '/identity',
    {
      config: { permission: 'federation.manage' },
      schema: { tags: ['federation'], summary: "This node's member and public key", response: { 200: FederationIdentity } },
    },
    async () => ({
      member: federation.self.name,
      country: federation.self.country,
      kind: federation.self.kind,
      public_key: federation.identity.publicKey,
      fingerprint: federation.identity.fingerprint,
    }),
  );

  r.get('/peers', { config: { permission: 'federation.manage' }, schema: { tags: ['federation'], response: { 200: PeerList } } }, async (req) => ({
    peers: (await federation.listPeers(req.principal)).map((p) => ({
      name: p.name,
      country: p.country,
      kind: p.kind,
      url: p.url,
      public_key: p.public_key,
      last_seen_at: iso(p.last_seen_at),
    })),
  }));

  r.post(
    '/peers',
    {
      config: { permission: 'federation.manage' },
      schema: {
        tags: ['federation'],
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            url: Type.String({ minLength: 1, maxLength: 500 }),
            public_key: Type.String({ minLength: 1, maxLength: 100 }),
            country: Type.Optional(Type.Union([Type.Null(), Type.String({ pattern: '^[A-Za-z]{2}$' })])),
            kind: Type.Union(MEMBER_KINDS.map((k) => Type.Literal(k))),
          },
          { additionalProperties: false },
        ),
        response: { 201: PeerRef },
      },
    },
    async (req, reply) => {
      const p = await federation.addPeer(req.principal, {
        name: req.body.name,
        url: req.body.url,
        publicKey: req.body.public_key,
        country: req.body.country ?? null,
        kind: req.body.kind,
      });
      void reply.status(201);
      return { name: p.name, url: p.url, public_key: p.public_key };
    },
  );

  r.patch(
    '/peers/:name',
    {
      config: { permission: 'federation.manage' },
      schema: {
        tags: ['federation'],
        summary: "Change a peer's URL or rotate its key (earlier country reports stay verified with the key they were signed with)",
        params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Object(
          { url: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })), public_key: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: PeerRef },
      },
    },
    async (req) => {
      const p = await federation.updatePeer(req.principal, req.params.name, { url: req.body.url, publicKey: req.body.public_key });
      return { name: p.name, url: p.url, public_key: p.public_key };
    },
  );

  r.get(
    '/peers/:name/keys',
    {
      config: { permission: 'federation.manage' },
      schema: {
        tags: ['federation'],
        summary: 'The keys a peer has had, with when each was valid',
        params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 200: PeerKeyList },
      },
    },
    async (req) => ({
      keys: (await federation.keyHistory(req.principal, req.params.name)).map((k) => ({
        public_key: k.public_key,
        fingerprint: fingerprint(k.public_key),
        valid_from: iso(k.valid_from),
        valid_to: iso(k.valid_to),
      })),
    }),
  );

  r.put(
    '/banks/:name/publication',
    {
      config: { permission: 'federation.manage' },
      schema: {
        tags: ['federation'],
        summary: 'Publish a bank under a sharing agreement (or change it)',
        params: BankParams,
        body: Type.Object(
          {
            recipients: Type.Object(
              { members: Type.Optional(Names), countries: Type.Optional(Names), kinds: Type.Optional(Names) },
              { additionalProperties: false },
            ),
            domestic: Type.Optional(Names),
            abroad: Type.Optional(Names),
          },
          { additionalProperties: false },
        ),
        response: { 200: Publication },
      },
    },
    async (req) => ({ bank: req.params.name, agreement: await federation.publish(req.principal, req.params.name, req.body) }),
  );

  r.delete(
    '/banks/:name/publication',
    { config: { permission: 'federation.manage' }, schema: { tags: ['federation'], params: BankParams, response: { 204: Type.Null() } } },
    async (req, reply) => {
      await federation.unpublish(req.principal, req.params.name);
      void reply.status(204);
    },
  );

  r.get('/publications', { config: { permission: 'banks.read' }, schema: { tags: ['federation'], response: { 200: PublicationList } } }, async (req) => ({
    publications: await federation.publications(req.principal),
  }));

  r.get(
    '/subscriptions',
    {
      config: { permission: 'banks.read' },
      schema: { tags: ['federation'], summary: 'Subscriptions with their sync status (last success, last error, lag)', response: { 200: SubscriptionList } },
    },
    async (req) => ({
      subscriptions: (await federation.subscriptions(req.principal)).map(subscriptionView),
    }),
  );

  r.post(
    '/subscriptions',
    {
      config: { permission: 'federation.manage' },
      schema: {
        tags: ['federation'],
        body: Type.Object({ peer: Type.String({ minLength: 1 }), bank: BankName, into: Type.Optional(BankName) }, { additionalProperties: false }),
        response: { 201: Subscription },
      },
    },
    async (req, reply) => {
      const s = await federation.subscribe(req.principal, req.body.peer, req.body.bank, req.body.into);
      void reply.status(201);
      return subscriptionView(s);
    },
  );

  r.patch(
    '/subscriptions/:id',
    {
      config: { permission: 'federation.manage' },
      schema: {
        tags: ['federation'],
        summary: 'Pause a subscription (the node stops pulling its feed, keeping the position) or resume it',
        params: IdParams,
        body: Type.Object({ paused: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: Subscription },
      },
    },
    async (req) => subscriptionView(await federation.setPaused(req.principal, req.params.id, req.body.paused)),
  );

  r.post(
    '/subscriptions/:id/sync',
    { config: { permission: 'federation.manage' }, schema: { tags: ['federation'], params: IdParams, summary: 'Sync now', response: { 200: SyncReport } } },
    async (req) => federation.sync(req.params.id),
  );

  r.post(
    '/content/:id/opinion',
    {
      config: { permission: 'opinions.send' },
      schema: {
        tags: ['federation'],
        summary: 'Send a verdict on received content to its origin',
        params: IdParams,
        body: Type.Object(
          {
            opinion: Type.Union([Type.Literal('confirmed'), Type.Literal('false_positive'), Type.Literal('disputed')]),
            reason: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: OpinionSent },
      },
    },
    async (req) => federation.sendOpinion(req.principal, req.params.id, req.body.opinion, req.body.reason ?? null),
  );

  r.get(
    '/content/:id/opinions',
    { config: { permission: 'banks.read' }, schema: { tags: ['federation'], params: IdParams, response: { 200: OpinionCounts } } },
    async (req) => ({
      counts: (await federation.opinionCounts(req.principal, [req.params.id])).get(req.params.id) ?? {},
    }),
  );

  r.put(
    '/banks/:name/quarantine',
    {
      config: { permission: 'banks.write' },
      schema: {
        tags: ['federation'],
        summary: 'Bank rule: quarantine content disputed by this many members (null: never)',
        params: BankParams,
        body: Type.Object({ threshold: Type.Union([Type.Null(), Type.Integer({ minimum: 1 })]) }),
        response: { 200: QuarantineRule },
      },
    },
    async (req) => {
      const b = await federation.setQuarantineThreshold(req.principal, req.params.name, req.body.threshold);
      return { bank: b.name, quarantine_threshold: b.quarantine_threshold };
    },
  );
}
