import { useEffect, useState, type FormEvent } from 'react';
import { api } from './api';
import { CLASSIFICATIONS } from './classifications';
import { concerns, ErrorMessage, FieldError } from './ErrorMessage';
import { Notice } from './Notice';
import type { FieldSentences, Problem } from './problems';
import type { ActionRule, SignalTypeInfo } from './types';
import { Button } from './ui/Button';
import { useAction } from './useAction';

const ACTIONS = ['review', 'report', 'notice', 'webhook', 'block'] as const;
const LEGAL = ['baseline', 'national', 'unknown', 'not_illegal'] as const;
const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const toggle = (xs: string[], x: string) => (xs.includes(x) ? xs.filter((y) => y !== x) : [...xs, x]);

/** What the API's refusals of the form's fields mean (problems.ts). */
const FIELDS: FieldSentences = {
  'body/name': { label: 'name', invalid: 'A rule name uses 1–80 letters, digits, spaces, dots, dashes or underscores.' },
  'body/conditions/max_distance': { label: 'maximum distance', invalid: 'The maximum distance is a whole number from 0 to 256.' },
  'body/conditions/banks': { label: 'banks' },
  'body/conditions/sources': { label: 'sources' },
  'body/webhook': { label: 'webhook name' },
};

/**
 * The rule service's own refusals (RULE_INVALID) name the field first ("conditions.banks: no bank
 * …", "name: …"): the problem is put beside that field like a schema refusal.
 */
function placed(error: Problem | null): Problem | null {
  if (!error || error.field || error.code !== 'RULE_INVALID') return error;
  const m = /^(name|webhook|conditions\.(\w+)): (.*)$/is.exec(error.sentence);
  if (!m) return error;
  const field = m[2] ? `body/conditions/${m[2]}` : `body/${m[1].toLowerCase()}`;
  const rest = m[3].replace(/\.$/, '');
  const label = FIELDS[field]?.label ?? field.split('/').pop()!;
  return { ...error, field, label, sentence: `${rest[0].toUpperCase()}${rest.slice(1)}.` };
}

export interface RuleDraft {
  name: string;
  banks: string;
  legal: string[];
  classifications: string[];
  signalTypes: string[];
  sources: string;
  maxDistance: string;
  actions: string[];
  webhook: string;
}

const EMPTY: RuleDraft = {
  name: '',
  banks: '',
  legal: [],
  classifications: [],
  signalTypes: [],
  sources: '',
  maxDistance: '',
  actions: ['review'],
  webhook: '',
};

const draftOf = (r: ActionRule): RuleDraft => ({
  name: r.name,
  banks: (r.conditions.banks ?? []).join(', '),
  legal: r.conditions.legal ?? [],
  classifications: r.conditions.classifications ?? [],
  signalTypes: r.conditions.signal_types ?? [],
  sources: (r.conditions.sources ?? []).join(', '),
  maxDistance: r.conditions.max_distance === undefined ? '' : String(r.conditions.max_distance),
  actions: r.actions,
  webhook: r.webhook ?? '',
});

function conditionsOf(d: RuleDraft) {
  return {
    ...(list(d.banks).length ? { banks: list(d.banks) } : {}),
    ...(d.legal.length ? { legal: d.legal } : {}),
    ...(d.classifications.length ? { classifications: d.classifications } : {}),
    ...(d.signalTypes.length ? { signal_types: d.signalTypes } : {}),
    ...(list(d.sources).length ? { sources: list(d.sources) } : {}),
    ...(d.maxDistance !== '' ? { max_distance: Number(d.maxDistance) } : {}),
  };
}

/** The dry run's answer as a sentence. */
export function dryRunSentence(r: { matched: number; examined: number; window: number }): string {
  const n = r.matched.toLocaleString('en');
  if (r.examined === 0) return 'No submissions are recorded yet: the rule would have matched none.';
  if (r.examined < r.window)
    return `Would have matched ${n} of the ${r.examined.toLocaleString('en')} submissions recorded so far (fewer than ${r.window.toLocaleString('en')}).`;
  return `Would have matched ${n} of the last ${r.window.toLocaleString('en')} submissions.`;
}

/**
 * A rule's form, new or being edited (`editing`): every condition the API has (banks, legal
 * status, classification, signal type, source, distance), its actions, and a dry run against the
 * latest submissions.
 */
export function RuleForm({ editing, onSaved, onCancel }: { editing: ActionRule | null; onSaved: () => void; onCancel: () => void }) {
  const [d, setDraft] = useState<RuleDraft>(EMPTY);
  const [types, setTypes] = useState<SignalTypeInfo[]>([]);
  const [dry, setDry] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const set = (patch: Partial<RuleDraft>) => {
    setDraft((x) => ({ ...x, ...patch }));
    setDry(null);
  };
  useEffect(() => {
    setDraft(editing ? draftOf(editing) : EMPTY);
    setDry(null);
  }, [editing]);
  useEffect(() => {
    let live = true;
    void api<{ signal_types: SignalTypeInfo[] }>('/signal-types').then(
      (r) => live && setTypes(r.signal_types),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);

  const problem = placed(error);
  const invalid = (field: string) => concerns(problem, field) || undefined;
  const describedBy = (field: string, id: string, hint?: string) => [concerns(problem, field) ? id : '', hint ?? ''].filter(Boolean).join(' ') || undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(
      editing ? `Rule ${editing.name} was not saved` : 'The rule was not created',
      async () => {
        const body = { name: d.name, conditions: conditionsOf(d), actions: d.actions, webhook: d.actions.includes('webhook') ? d.webhook : null };
        if (editing) await api(`/rules/${editing.id}`, { method: 'PUT', json: { ...body, enabled: editing.enabled } });
        else await api('/rules', { json: body });
        setDraft(EMPTY);
        setDry(null);
        onSaved();
      },
      FIELDS,
    );
  };
  const dryRun = () =>
    void run(
      'The dry run failed',
      async () => {
        const r = await api<{ matched: number; examined: number; window: number }>('/rules/dry-run', { json: { conditions: conditionsOf(d) } });
        setDry(dryRunSentence(r));
      },
      FIELDS,
    );

  const title = editing ? `Edit rule ${editing.name}` : 'New rule';
  return (
    <form onSubmit={submit} className="rule-form" aria-label={title}>
      <h2>{title}</h2>
      <div className="field">
        <label htmlFor="rule-name">Name</label>
        <input
          id="rule-name"
          required
          value={d.name}
          onChange={(e) => set({ name: e.target.value })}
          maxLength={80}
          aria-invalid={invalid('body/name')}
          aria-describedby={describedBy('body/name', 'rule-name-error')}
        />
        <FieldError error={problem} field="body/name" id="rule-name-error" />
      </div>
      <div className="field">
        <label htmlFor="rule-banks">Banks (comma-separated; empty: any)</label>
        <input
          id="rule-banks"
          value={d.banks}
          onChange={(e) => set({ banks: e.target.value })}
          spellCheck={false}
          aria-invalid={invalid('body/conditions/banks')}
          aria-describedby={describedBy('body/conditions/banks', 'rule-banks-error')}
        />
        <FieldError error={problem} field="body/conditions/banks" id="rule-banks-error" />
      </div>
      <fieldset>
        <legend>Legal status (none ticked: any)</legend>
        {LEGAL.map((l) => (
          <label key={l}>
            <input type="checkbox" checked={d.legal.includes(l)} onChange={() => set({ legal: toggle(d.legal, l) })} /> {l.replace('_', ' ')}
          </label>
        ))}
      </fieldset>
      <fieldset aria-describedby={concerns(problem, 'body/conditions/classifications') ? 'rule-classifications-error' : undefined}>
        <legend>Classification (none ticked: any; a crosswalk equal counts)</legend>
        {/* Legal status has its own condition (above). */}
        {CLASSIFICATIONS.filter((g) => g.scheme !== 'Legal status').flatMap((g) =>
          g.labels.map(([v, text]) => (
            <label key={v}>
              <input type="checkbox" checked={d.classifications.includes(v)} onChange={() => set({ classifications: toggle(d.classifications, v) })} />{' '}
              {g.scheme} {text}
            </label>
          )),
        )}
        <FieldError error={problem} field="body/conditions/classifications" id="rule-classifications-error" />
      </fieldset>
      <fieldset>
        <legend>Signal type (none ticked: any)</legend>
        {[...new Set([...types.map((t) => t.name), ...d.signalTypes])].map((t) => (
          <label key={t}>
            <input type="checkbox" checked={d.signalTypes.includes(t)} onChange={() => set({ signalTypes: toggle(d.signalTypes, t) })} /> {t}
          </label>
        ))}
        <FieldError error={problem} field="body/conditions/signal_types" id="rule-signal-types-error" />
      </fieldset>
      <div className="field">
        <label htmlFor="rule-sources">Sources on the platform (comma-separated, e.g. upload, profile-photo; empty: any)</label>
        <input
          id="rule-sources"
          value={d.sources}
          onChange={(e) => set({ sources: e.target.value })}
          spellCheck={false}
          aria-invalid={invalid('body/conditions/sources')}
          aria-describedby={describedBy('body/conditions/sources', 'rule-sources-error')}
        />
        <FieldError error={problem} field="body/conditions/sources" id="rule-sources-error" />
      </div>
      <div className="field">
        <label htmlFor="rule-distance">Maximum distance</label>
        <input
          id="rule-distance"
          type="number"
          min={0}
          max={256}
          value={d.maxDistance}
          onChange={(e) => set({ maxDistance: e.target.value })}
          aria-invalid={invalid('body/conditions/max_distance')}
          aria-describedby={describedBy('body/conditions/max_distance', 'rule-distance-error')}
        />
        <FieldError error={problem} field="body/conditions/max_distance" id="rule-distance-error" />
      </div>
      <fieldset>
        <legend>Actions</legend>
        {ACTIONS.map((a) => (
          <label key={a}>
            <input type="checkbox" checked={d.actions.includes(a)} onChange={() => set({ actions: toggle(d.actions, a) })} /> {a}
          </label>
        ))}
      </fieldset>
      {d.actions.includes('webhook') && (
        <div className="field">
          <label htmlFor="rule-webhook">Webhook name</label>
          <input
            id="rule-webhook"
            required
            value={d.webhook}
            onChange={(e) => set({ webhook: e.target.value })}
            aria-invalid={invalid('body/webhook')}
            aria-describedby={describedBy('body/webhook', 'rule-webhook-error')}
          />
          <FieldError error={problem} field="body/webhook" id="rule-webhook-error" />
        </div>
      )}
      <div className="buttons">
        <Button type="submit" weight="primary" disabled={busy || d.actions.length === 0}>
          {editing ? 'Save rule' : 'Create rule'}
        </Button>{' '}
        <Button disabled={busy} onClick={dryRun}>
          Dry run
        </Button>{' '}
        {editing && (
          <Button disabled={busy} onClick={onCancel}>
            Cancel editing
          </Button>
        )}
      </div>
      <Notice text={dry} />
      <ErrorMessage
        error={problem}
        beside={[
          'body/name',
          'body/conditions/banks',
          'body/conditions/classifications',
          'body/conditions/signal_types',
          'body/conditions/sources',
          'body/conditions/max_distance',
          'body/webhook',
        ]}
      />
    </form>
  );
}
