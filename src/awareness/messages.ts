/**
 * Awareness messages: for each context (search deterrence, upload blocked, child safety, help for
 * victims) and audience (child, teen, adult), a message per language. Every edit is a new
 * version; a version is served once a second person approved it (four eyes: these texts are shown
 * to children). A language without an approved version falls back to English, and says so.
 */
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError, failWith } from '../errors/catalogue.js';
import { requirePermission, type Principal } from '../members/principal.js';
import {
  approvedKeys,
  approvedVersions,
  decideMessage,
  getMessage,
  insertMessageDraft,
  isUniqueViolation,
  lastMessageVersion,
  messageLanguages,
  type MessageRow,
  messagesIn,
  messageVersions,
  now,
  type Store,
  TtlCache,
} from '../store/index.js';
import { languageChain, requireLanguage } from './language.js';
import { FALLBACK_LANGUAGE, MESSAGE_AUDIENCES, MESSAGE_CONTEXTS, type Audience, type MessageContext } from './seed-messages.js';

export { MESSAGE_AUDIENCES, MESSAGE_CONTEXTS, FALLBACK_LANGUAGE, type Audience, type MessageContext };

/** How long a served message is cached (another process of the node may have approved a newer one). */
const CACHE_MS = 5_000;

const bad = failWith('MESSAGE_INVALID');

function version(r: MessageRow) {
  return {
    id: r.id,
    context: r.context as MessageContext,
    audience: r.audience as Audience,
    language: r.language,
    version: Number(r.version),
    title: r.title,
    body: r.body,
    status: r.status as 'draft' | 'approved' | 'rejected',
    author: r.author,
    created_at: new Date(Number(r.created_at)).toISOString(),
    reviewed_by: r.reviewed_by,
    reviewed_at: r.reviewed_at === null ? null : new Date(Number(r.reviewed_at)).toISOString(),
    review_note: r.review_note,
  };
}
export type MessageVersion = ReturnType<typeof version>;

/** The message to show: the served version, and whether it is a fall-back from the requested language. */
export interface ServedMessage {
  context: MessageContext;
  audience: Audience;
  language: string;
  requested_language: string;
  /** True when the requested language has no approved version and English is shown instead. */
  fallback: boolean;
  version: number;
  title: string;
  body: string;
}

export function requireContext(value: unknown, code: 'MESSAGE_INVALID' | 'CHECK_INVALID' = 'MESSAGE_INVALID'): MessageContext {
  if (!(MESSAGE_CONTEXTS as readonly unknown[]).includes(value)) throw new AllianceError(code, `context: one of ${MESSAGE_CONTEXTS.join(', ')}`);
  return value as MessageContext;
}

export function requireAudience(value: unknown, code: 'MESSAGE_INVALID' | 'CHECK_INVALID' = 'MESSAGE_INVALID'): Audience {
  if (!(MESSAGE_AUDIENCES as readonly unknown[]).includes(value)) throw new AllianceError(code, `audience: one of ${MESSAGE_AUDIENCES.join(', ')}`);
  return value as Audience;
}

function text(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || !value.trim()) throw bad(`${field}: required`);
  if (value.length > max) throw bad(`${field}: at most ${max} characters`);
  return value.trim();
}

export class MessageService {
  private readonly cache = new TtlCache<ServedMessage>(CACHE_MS, 5_000);

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
  ) {}

  /**
   * For each context and audience in `language`: the version served (null when English is shown
   * instead: `fallback`), and the newest draft awaiting review.
   */
  async overview(actor: Principal, languageInput: string) {
    requirePermission(actor, 'lookup');
    const language = requireLanguage('language', languageInput, 'MESSAGE_INVALID');
    const rows = (await messagesIn(this.store.db, language)).map(version);
    const languages = await messageLanguages(this.store.db);
    const parents = languageChain(language).slice(1);
    const approvedIn = new Set(parents.length ? (await approvedKeys(this.store.db, parents)).map((r) => `${r.context}|${r.audience}|${r.language}`) : []);
    const entries = MESSAGE_CONTEXTS.flatMap((context) =>
      MESSAGE_AUDIENCES.map((audience) => {
        const mine = rows.filter((r) => r.context === context && r.audience === audience);
        const served = mine.find((r) => r.status === 'approved') ?? null;
        // What users of this language are shown when it has none: its primary language's, else English.
        const shownFrom = served
          ? language
          : (languageChain(language)
              .slice(1)
              .find((l) => approvedIn.has(`${context}|${audience}|${l}`)) ?? FALLBACK_LANGUAGE);
        const pending = mine.find((r) => r.status === 'draft' && (!served || r.version > served.version)) ?? null;
        return {
          context,
          audience,
          language,
          served,
          pending,
          shown_from: shownFrom,
          fallback: !languageChain(language).includes(shownFrom),
          versions: mine.length,
        };
      }),
    );
    return { language, languages, entries };
  }

  /** Every version of one message, newest first. */
  async history(actor: Principal, q: { context: string; audience: string; language: string }): Promise<MessageVersion[]> {
    requirePermission(actor, 'lookup');
    const context = requireContext(q.context);
    const audience = requireAudience(q.audience);
    const language = requireLanguage('language', q.language, 'MESSAGE_INVALID');
    const rows = await messageVersions(this.store.db, context, audience, language);
    return rows.map(version);
  }

  /** Writes a new version (a draft, served once another person approves it). */
  async write(actor: Principal, input: { context: string; audience: string; language: string; title: string; body: string }): Promise<MessageVersion> {
    requirePermission(actor, 'awareness.manage');
    const context = requireContext(input.context);
    const audience = requireAudience(input.audience);
    const language = requireLanguage('language', input.language, 'MESSAGE_INVALID');
    const title = text('title', input.title, 200);
    const body = text('body', input.body, 2000);
    // Two versions written at the same moment would take the same number: the second tries again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.writeVersion(actor, { context, audience, language, title, body });
      } catch (err) {
        if (!isUniqueViolation(err) || attempt === 3) throw err;
      }
    }
  }

  private writeVersion(
    actor: Principal,
    m: { context: MessageContext; audience: Audience; language: string; title: string; body: string },
  ): Promise<MessageVersion> {
    const { context, audience, language, title, body } = m;
    return this.store.db.transaction().execute(async (tx) => {
      const next = (await lastMessageVersion(tx, context, audience, language)) + 1;
      const row = await insertMessageDraft(tx, { context, audience, language, version: next, title, body, author: actor.actor, created_at: now() });
      await this.audit.record(tx, actor, 'message.write', `${context}/${audience}/${language}/v${next}`, {});
      return version(row);
    });
  }

  /** Approves (then served) or rejects a draft; the author cannot review their own text. */
  async review(actor: Principal, id: number, input: { decision: string; note?: string | null }): Promise<MessageVersion> {
    requirePermission(actor, 'awareness.manage');
    if (input.decision !== 'approve' && input.decision !== 'reject') throw bad('decision: approve or reject');
    const note = input.note == null ? null : text('note', input.note, 1000);
    const done = await this.store.db.transaction().execute(async (tx) => {
      const cur = await getMessage(tx, id);
      if (!cur) throw new AllianceError('MESSAGE_NOT_FOUND', `no message version ${id}`);
      if (cur.status !== 'draft')
        throw new AllianceError('MESSAGE_REVIEW_CONFLICT', `version ${cur.version} of ${cur.context}/${cur.audience}/${cur.language} is already ${cur.status}`);
      if (cur.author === actor.actor) throw new AllianceError('MESSAGE_REVIEW_CONFLICT', 'a message is reviewed by someone other than its author');
      const row = await decideMessage(tx, id, {
        status: input.decision === 'approve' ? 'approved' : 'rejected',
        reviewed_by: actor.actor,
        reviewed_at: now(),
        review_note: note,
      });
      // Another reviewer decided in between (PostgreSQL runs both transactions at once).
      if (!row)
        throw new AllianceError(
          'MESSAGE_REVIEW_CONFLICT',
          `version ${cur.version} of ${cur.context}/${cur.audience}/${cur.language} was reviewed by someone else just now`,
        );
      await this.audit.record(tx, actor, `message.${input.decision}`, `${row.context}/${row.audience}/${row.language}/v${row.version}`, { note });
      return version(row);
    });
    this.cache.clear();
    return done;
  }

  /** The message to show for a context and audience in a language (English when it has no approved version). */
  async resolve(context: MessageContext, audience: Audience, language: string): Promise<ServedMessage> {
    const key = `${context}|${audience}|${language}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const chain = [...languageChain(language), FALLBACK_LANGUAGE];
    const rows = await approvedVersions(this.store.db, context, audience, chain);
    const best = chain.map((l) => rows.find((r) => r.language === l)).find((r) => r !== undefined);
    if (!best) throw new AllianceError('INTERNAL', `no approved English message for ${context}/${audience}: the seed was removed`);
    const served: ServedMessage = {
      context,
      audience,
      language: best.language,
      requested_language: language,
      fallback: !languageChain(language).includes(best.language),
      version: Number(best.version),
      title: best.title,
      body: best.body,
    };
    this.cache.set(key, served);
    return served;
  }
}
