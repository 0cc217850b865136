/**
 * Action rules: data, not code. A rule names conditions on a match (bank, classification or legal
 * status, distance, signal type, where on the platform the content came from) and the actions
 * to take when a match meets them all. Absent conditions match anything.
 */
import { classificationLabel, parseClassification, type Classification, type LegalStatus } from '../banks/classification.js';
import { AllianceError } from '../errors/catalogue.js';
import { SIGNAL_TYPES } from '../signals/index.js';

export const ACTION_KINDS = ['review', 'report', 'notice', 'webhook', 'block'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
const LEGAL: readonly LegalStatus[] = ['baseline', 'national', 'not_illegal', 'unknown'];

export interface RuleConditions {
  banks?: string[];
  /** Legal statuses (baseline, national, not_illegal, unknown). */
  legal?: LegalStatus[];
  /** Labels as "scheme:value" (industry:A1, uk:B, vics:1): any crosswalk equal counts. */
  classifications?: string[];
  max_distance?: number;
  signal_types?: string[];
  /** The submission's source on the platform (e.g. "upload", "profile-photo"). */
  sources?: string[];
}

export interface ActionRule {
  id: number;
  name: string;
  enabled: boolean;
  conditions: RuleConditions;
  actions: ActionKind[];
  webhook: string | null;
}

/** One match of a submission, as the rules see it. */
export interface ActionMatch {
  signal_type: string;
  bank: string;
  content_id: number;
  distance: number;
  classification: Classification | null;
  /** Federation uid of received content (opinions go back to its origin). */
  uid: string | null;
  /** Found after the submission was answered, when a bank gained the signal. */
  retroactive?: boolean;
}

const invalid = (message: string) => new AllianceError('RULE_INVALID', message);

function stringList(name: string, v: unknown, check?: (s: string) => string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.trim() === '')) throw invalid(`${name}: a list of non-empty strings`);
  const list = [...new Set((v as string[]).map((x) => (check ? check(x.trim()) : x.trim())))];
  return list.length ? list : undefined;
}

/** Validates rule fields from the API or CLI. */
export function parseRule(input: { name?: unknown; conditions?: unknown; actions?: unknown; webhook?: unknown }): Omit<ActionRule, 'id' | 'enabled'> {
  if (typeof input.name !== 'string' || !/^[\w .-]{1,80}$/.test(input.name)) throw invalid('name: 1–80 letters, digits, spaces, dots, dashes or underscores');
  const c = (input.conditions ?? {}) as Record<string, unknown>;
  if (typeof c !== 'object' || Array.isArray(c)) throw invalid('conditions: an object');
  const known = ['banks', 'legal', 'classifications', 'max_distance', 'signal_types', 'sources'];
  const unknown = Object.keys(c).filter((k) => !known.includes(k));
  if (unknown.length) throw invalid(`conditions: unknown field(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const conditions: RuleConditions = {
    banks: stringList('conditions.banks', c.banks),
    legal: stringList('conditions.legal', c.legal, (s) => {
      if (!LEGAL.includes(s as LegalStatus)) throw invalid(`conditions.legal: "${s}" is not one of ${LEGAL.join(', ')}`);
      return s;
    }) as LegalStatus[] | undefined,
    classifications: stringList('conditions.classifications', c.classifications, (s) => {
      const p = parseClassification(s);
      return classificationLabel(p);
    }),
    signal_types: stringList('conditions.signal_types', c.signal_types, (s) => {
      if (!SIGNAL_TYPES.has(s)) throw invalid(`conditions.signal_types: unknown signal type "${s}"`);
      return s;
    }),
    sources: stringList('conditions.sources', c.sources),
  };
  if (c.max_distance !== undefined && c.max_distance !== null) {
    if (typeof c.max_distance !== 'number' || !Number.isInteger(c.max_distance) || c.max_distance < 0 || c.max_distance > 256)
      throw invalid('conditions.max_distance: an integer from 0 to 256');
    conditions.max_distance = c.max_distance;
  }
  for (const k of Object.keys(conditions) as Array<keyof RuleConditions>) if (conditions[k] === undefined) delete conditions[k];
  const actions = stringList('actions', input.actions, (s) => {
    if (!(ACTION_KINDS as readonly string[]).includes(s)) throw invalid(`actions: "${s}" is not one of ${ACTION_KINDS.join(', ')}`);
    return s;
  }) as ActionKind[] | undefined;
  if (!actions) throw invalid(`actions: at least one of ${ACTION_KINDS.join(', ')}`);
  const webhook = input.webhook === undefined || input.webhook === null || input.webhook === '' ? null : String(input.webhook);
  if (actions.includes('webhook') !== (webhook !== null)) throw invalid('a rule with the webhook action names its webhook, and only such a rule does');
  return { name: input.name, conditions, actions, webhook };
}

/** Whether `m`, of a submission from `source`, meets every condition of the rule. */
export function ruleMatches(rule: Pick<ActionRule, 'conditions'>, m: ActionMatch, source: string): boolean {
  const c = rule.conditions;
  if (c.banks && !c.banks.includes(m.bank)) return false;
  if (c.signal_types && !c.signal_types.includes(m.signal_type)) return false;
  if (c.sources && !c.sources.includes(source)) return false;
  if (c.max_distance !== undefined && m.distance > c.max_distance) return false;
  if (c.legal && !c.legal.includes(m.classification?.legal ?? 'unknown')) return false;
  if (c.classifications) {
    const k = m.classification;
    if (!k) return false;
    const labels = [classificationLabel(k), k.vics !== null ? `vics:${k.vics}` : '', k.uk ? `uk:${k.uk}` : '', k.industry ? `industry:${k.industry}` : ''];
    if (!c.classifications.some((l) => labels.includes(l))) return false;
  }
  return true;
}

export interface Evaluation {
  /** Every action the matching rules chose, in ACTION_KINDS order. */
  actions: ActionKind[];
  /** The rules that fired. */
  rules: ActionRule[];
  /** The matches that made a rule fire. */
  matches: ActionMatch[];
}

/** The actions the enabled rules choose for these matches of one submission. */
export function evaluate(rules: readonly ActionRule[], matches: readonly ActionMatch[], source: string): Evaluation {
  const chosen = new Set<ActionKind>();
  const fired: ActionRule[] = [];
  const why = new Set<ActionMatch>();
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const hits = matches.filter((m) => ruleMatches(rule, m, source));
    if (hits.length === 0) continue;
    fired.push(rule);
    for (const h of hits) why.add(h);
    for (const a of rule.actions) chosen.add(a);
  }
  return { actions: ACTION_KINDS.filter((a) => chosen.has(a)), rules: fired, matches: [...why] };
}
