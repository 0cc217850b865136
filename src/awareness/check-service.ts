/**
 * The check API's logic: is this search text on a keyword list, is this upload's hash in a bank —
 * and if so, which message to show and where to turn for help, for the user's country, language
 * and age. Texts and hashes are looked up and forgotten: nothing but a count per day, context and
 * country is kept (the target-3 indicator "messages served").
 */
import { failWith } from '../errors/catalogue.js';
import { isCountryCode } from '../geo/countries.js';
import type { LookupService } from '../match/lookup-service.js';
import { requirePermission, type Principal } from '../members/principal.js';
import { MAX_TEXT_LENGTH, textCheckType, uploadCheckTypes } from '../signals/index.js';
import { type HelpDirectory, type HelpForUser, type HelpKind } from './help-directory.js';
import { looseLanguage } from './language.js';
import type { MessageCounter } from './message-counter.js';
import { requireAudience, requireContext, FALLBACK_LANGUAGE, type Audience, type MessageContext, type MessageService, type ServedMessage } from './messages.js';

/** Which help each message points to, per audience, most relevant first. */
export const HELP_FOR: Record<MessageContext, Record<Audience, readonly HelpKind[]>> = {
  search: { adult: ['offender_prevention', 'hotline'], teen: ['child_helpline', 'hotline'], child: ['child_helpline'] },
  'upload-blocked': { adult: ['hotline', 'offender_prevention'], teen: ['child_helpline', 'victim_support', 'hotline'], child: ['child_helpline'] },
  'child-safety': { adult: ['hotline', 'police', 'child_helpline'], teen: ['child_helpline', 'hotline'], child: ['child_helpline'] },
  victim: {
    adult: ['victim_support', 'hotline', 'police'],
    teen: ['victim_support', 'child_helpline', 'hotline'],
    child: ['child_helpline', 'victim_support'],
  },
};

/** Hash signal types an upload check takes (those whose `check` is 'upload'), each the request field of its name. */
export const uploadSignals = (): string[] => uploadCheckTypes().map((t) => t.name);

export interface Audiencing {
  country?: string | null;
  language?: string | null;
  audience?: string | null;
}

export interface CheckAnswer {
  match: boolean;
  /** The message to show (null when there is nothing to show). */
  message: ServedMessage | null;
  help: HelpForUser[];
  /** True when some help entries are the international fall-back (the country's are not curated yet). */
  help_fallback: boolean;
}

const bad = failWith('CHECK_INVALID');

interface Who {
  country: string | null;
  language: string;
  audience: Audience;
}

/**
 * Who the answer is for. Country and language are display hints: one the node cannot use (an
 * unknown country, a language tag it cannot read) gives the international help and the English
 * message, flagged as fall-backs — never a failed check, so a platform never skips a warning over it.
 */
function who(input: Audiencing): Who {
  const c = typeof input.country === 'string' ? input.country.trim().toUpperCase() : '';
  const country = isCountryCode(c) ? c : null;
  const language = looseLanguage(input.language) ?? FALLBACK_LANGUAGE;
  const audience = input.audience == null || input.audience === '' ? 'adult' : requireAudience(input.audience, 'CHECK_INVALID');
  return { country, language, audience };
}

export class CheckService {
  constructor(
    private readonly lookup: LookupService,
    private readonly messages: MessageService,
    private readonly help: HelpDirectory,
    private readonly counter: MessageCounter,
  ) {}

  /** The message and help to show in a context (also what a match shows). */
  async messageFor(context: MessageContext, w: Who): Promise<Omit<CheckAnswer, 'match'>> {
    const [message, help] = await Promise.all([
      this.messages.resolve(context, w.audience, w.language),
      this.help.resolve(w.country, HELP_FOR[context][w.audience], w.language),
    ]);
    return { message, help, help_fallback: help.some((h) => h.fallback) };
  }

  /** Is the text on a keyword list? If so, the message of `context` (default search). */
  async checkText(actor: Principal, input: Audiencing & { text: unknown; context?: string | null }): Promise<CheckAnswer> {
    requirePermission(actor, 'check');
    if (typeof input.text !== 'string' || !input.text.trim()) throw bad('text: required');
    if (input.text.length > MAX_TEXT_LENGTH) throw bad(`text: at most ${MAX_TEXT_LENGTH} characters`);
    const context = input.context == null ? 'search' : requireContext(input.context, 'CHECK_INVALID');
    if (context === 'upload-blocked') throw bad('context: upload-blocked is answered by /check/upload');
    const w = who(input);
    const r = await this.lookup.lookup(textCheckType().name, input.text, { series: false });
    if (r.matches.length === 0) return { match: false, message: null, help: [], help_fallback: false };
    this.counter.count(context, w.country);
    return { match: true, ...(await this.messageFor(context, w)) };
  }

  /** Is this upload (its hashes only) in a bank? Block with the upload-blocked message, or allow. */
  async checkUpload(
    actor: Principal,
    input: Audiencing & Partial<Record<string, string | null>>,
  ): Promise<CheckAnswer & { action: 'block' | 'allow'; matched: string[] }> {
    requirePermission(actor, 'check');
    const fields = uploadSignals();
    const given = fields.filter((s) => input[s] != null && input[s] !== '');
    if (given.length === 0) throw bad(`give at least one hash: ${fields.join(', ')}`);
    const w = who(input);
    const matched: string[] = [];
    for (const s of given) {
      if (typeof input[s] !== 'string') throw bad(`${s}: a hash in lowercase hex`);
      const r = await this.lookup.lookup(s, input[s] as string, { series: false });
      if (r.matches.length) matched.push(s);
    }
    if (matched.length === 0) return { action: 'allow', matched, match: false, message: null, help: [], help_fallback: false };
    this.counter.count('upload-blocked', w.country);
    return { action: 'block', matched, match: true, ...(await this.messageFor('upload-blocked', w)) };
  }

  /** Writes the messages-served counts gathered so far (they are also written every second and at close). */
  flushCounts(): Promise<void> {
    return this.counter.flush();
  }

  /** The message and help of a context without a check (a "get help" link, a victim's page): counted as served. */
  async show(actor: Principal, input: Audiencing & { context: unknown }): Promise<Omit<CheckAnswer, 'match'>> {
    requirePermission(actor, 'check');
    const context = requireContext(input.context, 'CHECK_INVALID');
    const w = who(input);
    this.counter.count(context, w.country);
    return this.messageFor(context, w);
  }
}
