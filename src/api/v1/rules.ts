/** /api/v1: action rules, webhooks and their deliveries (dead-letter list, replay). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ACTION_KINDS, type RuleService, type WebhookDispatcher } from '../../actions/index.js';
import { IdParams } from './schemas.js';
import {
  ActionRule,
  ActionRuleList,
  ActionsDeletedId,
  ActionsDeletedName,
  RuleDryRun,
  Webhook,
  WebhookDeliveryList,
  WebhookList,
  WebhookReplayed,
} from '../contract/index.js';

const List = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 });
const Conditions = Type.Object(
  {
    banks: Type.Optional(List),
    legal: Type.Optional(List),
    classifications: Type.Optional(List),
    max_distance: Type.Optional(Type.Integer({ minimum: 0, maximum: 256 })),
    signal_types: Type.Optional(List),
    sources: Type.Optional(List),
  },
  { additionalProperties: false },
);
const RuleBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    enabled: Type.Optional(Type.Boolean()),
    conditions: Type.Optional(Conditions),
    actions: Type.Array(Type.Union(ACTION_KINDS.map((a) => Type.Literal(a))), { minItems: 1, maxItems: ACTION_KINDS.length }),
    // Null first: Ajv's type coercion would turn null into "" for a string listed first.
    webhook: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 80 })])),
  },
  { additionalProperties: false },
);

export async function ruleRoutes(app: FastifyInstance, opts: { rules: RuleService; webhooks: WebhookDispatcher }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { rules, webhooks } = opts;
  const manage = { permission: 'actions.manage' as const };

  r.get(
    '/rules',
    { config: manage, schema: { tags: ['actions'], summary: 'Action rules: conditions on a match → actions', response: { 200: ActionRuleList } } },
    async (req) => ({
      rules: await rules.list(req.principal),
    }),
  );
  r.post('/rules', { config: manage, schema: { tags: ['actions'], body: RuleBody, response: { 201: ActionRule } } }, async (req, reply) => {
    void reply.status(201);
    return rules.create(req.principal, req.body);
  });
  r.post(
    '/rules/dry-run',
    {
      config: manage,
      schema: {
        tags: ['actions'],
        summary: "A rule's conditions evaluated against the latest 1,000 submissions without acting: how many would have matched",
        body: Type.Object({ conditions: Type.Optional(Conditions) }, { additionalProperties: false }),
        response: { 200: RuleDryRun },
      },
    },
    async (req) => rules.dryRun(req.principal, req.body),
  );
  r.put(
    '/rules/:id',
    { config: manage, schema: { tags: ['actions'], summary: 'Replace a rule', params: IdParams, body: RuleBody, response: { 200: ActionRule } } },
    async (req) => rules.update(req.principal, req.params.id, req.body),
  );
  r.delete('/rules/:id', { config: manage, schema: { tags: ['actions'], params: IdParams, response: { 200: ActionsDeletedId } } }, async (req) => {
    await rules.remove(req.principal, req.params.id);
    return { deleted: req.params.id };
  });

  r.get('/webhooks', { config: manage, schema: { tags: ['actions'], response: { 200: WebhookList } } }, async (req) => ({
    webhooks: await rules.webhooks(req.principal),
  }));
  r.post(
    '/webhooks',
    {
      config: manage,
      schema: {
        tags: ['actions'],
        summary: 'Register a receiver; deliveries carry x-alliance-signature: sha256=HMAC(secret, "<x-alliance-timestamp>.<body>")',
        response: { 201: Webhook },
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 80 }),
            url: Type.String({ minLength: 1, maxLength: 2000 }),
            secret: Type.String({ minLength: 1, maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      void reply.status(201);
      return rules.addWebhook(req.principal, req.body);
    },
  );
  r.delete(
    '/webhooks/:name',
    { config: manage, schema: { tags: ['actions'], params: Type.Object({ name: Type.String({ maxLength: 80 }) }), response: { 200: ActionsDeletedName } } },
    async (req) => {
      await rules.removeWebhook(req.principal, req.params.name);
      return { deleted: req.params.name };
    },
  );
  r.get(
    '/webhook-deliveries',
    {
      config: manage,
      schema: {
        tags: ['actions'],
        summary: 'Deliveries, newest first; state=dead is the dead-letter list',
        response: { 200: WebhookDeliveryList },
        querystring: Type.Object(
          {
            state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')])),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => ({ deliveries: await webhooks.deliveries(req.principal, req.query.state, req.query.limit ?? 100) }),
  );
  r.post(
    '/webhook-deliveries/:id/replay',
    { config: manage, schema: { tags: ['actions'], summary: 'Queue a delivery again', params: IdParams, response: { 200: WebhookReplayed } } },
    async (req) => {
      await webhooks.replay(req.principal, req.params.id);
      return { replayed: req.params.id };
    },
  );
}
