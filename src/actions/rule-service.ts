/** Action rules and webhooks as data: created, changed and removed through the API or CLI, audited. */
import { createHash } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError } from '../errors/catalogue.js';
import { requirePermission, type Principal } from '../members/principal.js';
import {
  type ActionRuleRow,
  deleteRule,
  deleteWebhook,
  insertRule,
  insertWebhook,
  latestSubmissionMatches,
  listRules,
  groupRulesVersion,
  listWebhooks,
  parseJson,
  requireBanks,
  rulesVersion,
  SecretBox,
  type Store,
  type Tx,
  updateRule,
  updateWebhookSecrets,
  webhookByName,
} from '../store/index.js';

/** What a stored webhook value is for (bound into its encryption). */
export const WEBHOOK_URL = 'webhook.url';
export const WEBHOOK_SECRET = 'webhook.secret';
import { parseRule, ruleMatches, type ActionKind, type ActionMatch, type ActionRule, type RuleConditions } from './rules.js';
import { checkFetchableUrl, type FetchOptions } from '../media/fetch-url.js';

export interface RuleInput {
  name?: unknown;
  conditions?: unknown;
  actions?: unknown;
  webhook?: unknown;
  enabled?: boolean;
}

export interface WebhookView {
  name: string;
  url: string;
  enabled: boolean;
  created_at: string;
}

function toRule(r: ActionRuleRow & { webhook: string | null }): ActionRule {
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled === 1,
    conditions: parseJson<RuleConditions>(r.conditions, {}),
    actions: parseJson<ActionKind[]>(r.actions, []),
    webhook: r.webhook,
  };
}

/** How many of the latest submissions a dry run looks at. */
export const DRY_RUN_WINDOW = 1000;

/** What a rule's conditions would have matched: `matched` of the `examined` latest submissions (at most `window`). */
export interface DryRunResult {
  matched: number;
  examined: number;
  window: number;
}

export class RuleService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    /** Webhook secrets and addresses are stored encrypted (addresses often carry a credential too). */
    private readonly secrets: SecretBox,
    /** The fetch allow-list: webhooks go through the same SSRF-safe client as every fetch. */
    private readonly fetch: Pick<FetchOptions, 'allowedHosts'> = { allowedHosts: [] },
  ) {}

  /** Encrypts webhook secrets and addresses an older version stored in clear (run at start-up). */
  async sealStoredWebhooks(): Promise<number> {
    let sealed = 0;
    for (const w of await listWebhooks(this.store.db)) {
      if (SecretBox.isSealed(w.secret) && SecretBox.isSealed(w.url)) continue;
      await updateWebhookSecrets(
        this.store.db,
        w.id,
        this.secrets.seal(this.secrets.open(w.url, WEBHOOK_URL), WEBHOOK_URL),
        this.secrets.seal(this.secrets.open(w.secret, WEBHOOK_SECRET), WEBHOOK_SECRET),
      );
      sealed++;
    }
    return sealed;
  }

  /** The rules as last read, with the version they were read at (store/rules-repo.ts, rulesVersion). */
  private cached: { version: string | undefined; rules: readonly ActionRule[] } | undefined;
  /** The version read waiting to be sent (callers join it) and the one on its way. */
  private nextRead: Promise<string | undefined> | undefined;
  private lastRead: Promise<unknown> = Promise.resolve();

  /**
   * Every rule (read-only: shared by the callers). Kept in memory and read again only when the
   * rules' version moved — one point read per call instead of the rules and their JSON. With `tx`
   * (a submission's group transaction) read through it: the version its group read at its start
   * when it did (store groupRulesVersion), else the version now.
   */
  async rules(tx?: Tx): Promise<readonly ActionRule[]> {
    const version = tx ? (groupRulesVersion(tx) ?? { version: await rulesVersion(tx) }).version : await this.version();
    if (this.cached && this.cached.version === version) return this.cached.rules;
    const rules = (await listRules(tx ?? this.store.db)).map(toRule);
    this.cached = { version, rules };
    return rules;
  }

  /**
   * The rules' version, read after this call: calls that come while a read is on its way share the
   * next one, sent when it is back — one read a round trip however many submissions arrive, and
   * none answered by a read that left before it was asked (a change committed before the call is seen).
   */
  private version(): Promise<string | undefined> {
    if (this.nextRead) return this.nextRead;
    const previous = this.lastRead;
    const read: Promise<string | undefined> = (async () => {
      await previous.catch(() => undefined);
      this.nextRead = undefined; // sent now: later calls wait for the next
      return rulesVersion(this.store.db);
    })();
    this.nextRead = read;
    this.lastRead = read;
    return read;
  }

  async list(actor: Principal): Promise<ActionRule[]> {
    requirePermission(actor, 'actions.manage');
    return [...(await this.rules())];
  }

  /** A rule on a bank that does not exist would be stored and never fire: refused, naming the nearest bank. */
  private async requireBanks(tx: Tx | Store['db'], banks: string[] | undefined): Promise<void> {
    try {
      await requireBanks(tx, banks ?? []);
    } catch (err) {
      throw new AllianceError('RULE_INVALID', `conditions.banks: ${(err as Error).message}`);
    }
  }

  async create(actor: Principal, input: RuleInput): Promise<ActionRule> {
    requirePermission(actor, 'actions.manage');
    const rule = parseRule(input);
    return this.store.db.transaction().execute(async (tx) => {
      await this.requireBanks(tx, rule.conditions.banks);
      const webhook = rule.webhook ? await webhookByName(tx, rule.webhook) : null;
      const row = await insertRule(tx, {
        name: rule.name,
        enabled: input.enabled === false ? 0 : 1,
        conditions: JSON.stringify(rule.conditions),
        actions: JSON.stringify(rule.actions),
        webhook_id: webhook?.id ?? null,
      });
      await this.audit.record(tx, actor, 'rule.create', rule.name, { conditions: rule.conditions, actions: rule.actions, webhook: rule.webhook });
      return toRule({ ...row, webhook: rule.webhook });
    });
  }

  /** Replaces a rule's fields (all of them, as on creation). */
  async update(actor: Principal, id: number, input: RuleInput): Promise<ActionRule> {
    requirePermission(actor, 'actions.manage');
    const rule = parseRule(input);
    return this.store.db.transaction().execute(async (tx) => {
      await this.requireBanks(tx, rule.conditions.banks);
      const webhook = rule.webhook ? await webhookByName(tx, rule.webhook) : null;
      const row = await updateRule(tx, id, {
        name: rule.name,
        enabled: input.enabled === false ? 0 : 1,
        conditions: JSON.stringify(rule.conditions),
        actions: JSON.stringify(rule.actions),
        webhook_id: webhook?.id ?? null,
      });
      await this.audit.record(tx, actor, 'rule.update', rule.name, {
        id,
        conditions: rule.conditions,
        actions: rule.actions,
        webhook: rule.webhook,
        enabled: input.enabled !== false,
      });
      return toRule({ ...row, webhook: rule.webhook });
    });
  }

  /**
   * Evaluates a rule's conditions against the latest DRY_RUN_WINDOW recorded submissions (their
   * source and the matches recorded with them) without acting: how many of them at least one match
   * would have made the rule fire. Nothing is stored or audited.
   */
  async dryRun(actor: Principal, input: { conditions?: unknown }): Promise<DryRunResult> {
    requirePermission(actor, 'actions.manage');
    const { conditions } = parseRule({ name: 'dry run', conditions: input.conditions, actions: ['review'] });
    await this.requireBanks(this.store.db, conditions.banks);
    const rows = await latestSubmissionMatches(this.store.db, DRY_RUN_WINDOW);
    let matched = 0;
    for (const s of rows) {
      const matches = parseJson<ActionMatch[]>(s.matches, []);
      if (matches.some((m) => ruleMatches({ conditions }, m, s.source))) matched++;
    }
    return { matched, examined: rows.length, window: DRY_RUN_WINDOW };
  }

  async remove(actor: Principal, id: number): Promise<void> {
    requirePermission(actor, 'actions.manage');
    await this.store.db.transaction().execute(async (tx) => {
      await deleteRule(tx, id);
      await this.audit.record(tx, actor, 'rule.delete', String(id), {});
    });
  }

  async webhooks(actor: Principal): Promise<WebhookView[]> {
    requirePermission(actor, 'actions.manage');
    return (await listWebhooks(this.store.db)).map((w) => ({
      name: w.name,
      url: this.secrets.open(w.url, WEBHOOK_URL),
      enabled: w.enabled === 1,
      created_at: new Date(w.created_at).toISOString(),
    }));
  }

  /** Registers a receiver; deliveries are signed with `secret` (HMAC-SHA256), which is never shown again. */
  async addWebhook(actor: Principal, w: { name: string; url: string; secret: string }): Promise<WebhookView> {
    requirePermission(actor, 'actions.manage');
    let url: URL | undefined;
    try {
      url = new URL(w.url);
    } catch {
      url = undefined;
    }
    if (!/^[\w.-]{1,80}$/.test(w.name) || !url || !['http:', 'https:'].includes(url.protocol) || typeof w.secret !== 'string' || w.secret.length < 16) {
      throw new AllianceError('WEBHOOK_INVALID', 'a webhook needs a name (letters, digits, . _ -), an http(s) URL and a secret of at least 16 characters');
    }
    try {
      checkFetchableUrl(url.toString(), this.fetch);
    } catch (err) {
      throw new AllianceError('WEBHOOK_INVALID', `webhook URL ${(err as Error).message}`);
    }
    return this.store.db.transaction().execute(async (tx) => {
      const row = await insertWebhook(tx, {
        name: w.name,
        url: this.secrets.seal(url.toString(), WEBHOOK_URL),
        secret: this.secrets.seal(w.secret, WEBHOOK_SECRET),
      });
      // Webhook addresses often carry their credential (a path or query token): the audit log, read by
      // auditors, keeps the origin and a fingerprint of the whole address, never the address itself.
      await this.audit.record(tx, actor, 'webhook.create', w.name, {
        origin: url.origin,
        url_sha256: createHash('sha256').update(url.toString()).digest('hex').slice(0, 16),
      });
      return { name: row.name, url: url.toString(), enabled: true, created_at: new Date(row.created_at).toISOString() };
    });
  }

  async removeWebhook(actor: Principal, name: string): Promise<void> {
    requirePermission(actor, 'actions.manage');
    await this.store.db.transaction().execute(async (tx) => {
      await deleteWebhook(tx, name);
      await this.audit.record(tx, actor, 'webhook.delete', name, {});
    });
  }
}
