import { useState, type FormEvent } from 'react';
import type { LeadBuild, LeadPackage, LeadPackageList, Operation } from '../../../src/api/contract/index.js';
import { api } from '../api';
import { concerns, ErrorMessage, FieldError } from '../ErrorMessage';
import { Notice } from '../Notice';
import type { FieldSentences } from '../problems';

import { useAction } from '../useAction';
import { useLoad } from '../useLoad';
import { PackagesTable } from './PackagesTable';
import { placed } from './shared';
import { Button, useConfirm } from '../ui';

const FIELDS: FieldSentences = {
  'body/countries': { label: 'countries', invalid: 'Countries are two-letter ISO 3166 codes separated by commas (DE, NL), or empty for all.' },
  'body/handling/no_contact_before': { label: 'no contact before', invalid: 'No contact before is a date (YYYY-MM-DD).' },
  'body/handling/restrictions': { label: 'other restrictions' },
};

const list = (text: string, split: RegExp) =>
  text
    .split(split)
    .map((s) => s.trim())
    .filter(Boolean);
const plural = (n: number, one: string) => `${n.toLocaleString('en')} ${one}${n === 1 ? '' : 's'}`;

/** What sending a package does, in words: "sends 212 targets to the authority for DE (police-de)", or why it waits. */
export function sendLine(p: LeadPackage): string {
  return p.peer
    ? `sends ${plural(p.targets, 'target')} to the authority for ${p.country} (${p.peer})${p.prior_uid ? ', a supplement' : ''}`
    : `${plural(p.targets, 'target')} for ${p.country} wait: ${p.explanation || `no receiving authority registered for ${p.country}`}`;
}

/**
 * Lead packages: one per receiving country of the targets checked and not held, with the handling
 * restrictions; sending them (a dialog says which authority receives what); each package's
 * delivery, receipt, what its receiver said and the outcomes per target.
 */
export function PackagesTab({ operation }: { operation: Operation }) {
  const id = operation.id;
  const packages = useLoad(() => api<LeadPackageList>(`/operations/${id}/packages`), [id]);
  const { busy, error, run } = useAction();
  const { ask, dialog } = useConfirm();
  const [said, setSaid] = useState<string | null>(null);
  const [countries, setCountries] = useState('');
  const [noContact, setNoContact] = useState('');
  const [intelligence, setIntelligence] = useState(false);
  const [restrictions, setRestrictions] = useState('');
  const problem = placed(error, FIELDS);

  const build = (e: FormEvent) => {
    e.preventDefault();
    void run(
      'The packages were not built',
      async () => {
        const chosen = list(countries, /[\s,]+/).map((c) => c.toUpperCase());
        const handling = {
          ...(noContact ? { no_contact_before: noContact } : {}),
          ...(intelligence ? { intelligence_only: true } : {}),
          ...(restrictions.trim() ? { restrictions: list(restrictions, /\n/) } : {}),
        };
        const r = await api<LeadBuild>(`/operations/${id}/packages`, { json: { ...(chosen.length ? { countries: chosen } : {}), handling } });
        const built = r.packages.length
          ? `Built ${plural(r.packages.length, 'package')}: ${r.packages.map((p) => `${p.country} ${plural(p.targets, 'target')}${p.prior_uid ? ' (supplement)' : ''}`).join(', ')}.`
          : 'Nothing new to package.';
        const out = r.left_out
          .filter((l) => l.unchecked || l.held)
          .map((l) => `${l.country}: ${[l.unchecked ? `${l.unchecked} not checked yet` : '', l.held ? `${l.held} held` : ''].filter(Boolean).join(', ')}`);
        setSaid(out.length ? `${built} Left out — ${out.join('; ')}.` : built);
        packages.reload();
      },
      FIELDS,
    );
  };

  const unsent = (packages.data?.packages ?? []).filter((p) => p.state === 'built' || p.state === 'waiting');
  const send = async (one?: LeadPackage) => {
    const chosen = one ? [one] : unsent;
    const yes = await ask({
      title: one ? `Send package ${one.uid} again?` : `Send ${plural(chosen.length, 'lead package')}?`,
      body: (
        <>
          <ul className="send-lines">
            {chosen.map((p) => (
              <li key={p.id} data-send={p.country}>
                {sendLine(p)}
              </li>
            ))}
          </ul>
          <p>
            Each package is signed and goes over the federation link with the legal basis and the handling restrictions — never the restricted notes, never
            media. A sent package cannot be changed or recalled: corrections are supplements.
          </p>
        </>
      ),
      confirm: one ? 'Send it again' : 'Send the packages',
      danger: true,
    });
    if (!yes) return;
    await run('The packages were not sent', async () => {
      const r = await api<LeadPackageList>(`/operations/${id}/packages/send`, { json: one ? { package: one.id } : {} });
      const queued = r.packages.filter((p) => p.state === 'queued');
      const waiting = r.packages.filter((p) => p.state === 'waiting');
      setSaid(
        [
          queued.length ? `Queued for delivery: ${queued.map((p) => `${p.country} to ${p.peer}`).join(', ')}.` : '',
          waiting.length ? `Waiting for a receiving authority: ${waiting.map((p) => p.country).join(', ')}.` : '',
        ]
          .filter(Boolean)
          .join(' '),
      );
      packages.reload();
    });
  };

  const all = packages.data?.packages ?? [];
  return (
    <>
      <h2 className="sr-only">Packages</h2>
      <form className="card" onSubmit={build} aria-labelledby="build-packages">
        <h3 id="build-packages">Build lead packages</h3>
        <p className="muted">
          One signed package per receiving country of its targets checked by deconfliction and not held; a country packaged before gets a supplement with the
          new or changed targets only.
        </p>
        <div className="field">
          <label htmlFor="pkg-countries">Countries</label>
          <input
            id="pkg-countries"
            value={countries}
            onChange={(e) => setCountries(e.target.value)}
            placeholder="all"
            aria-describedby={concerns(problem, 'body/countries') ? 'pkg-countries-error pkg-countries-hint' : 'pkg-countries-hint'}
            aria-invalid={concerns(problem, 'body/countries') || undefined}
          />
          <FieldError error={problem} field="body/countries" id="pkg-countries-error" />
          <small id="pkg-countries-hint">Two-letter codes separated by commas; empty: every country with targets.</small>
        </div>
        <div className="field">
          <label htmlFor="pkg-no-contact">No direct contact with the targets before</label>
          <input
            id="pkg-no-contact"
            type="date"
            value={noContact}
            onChange={(e) => setNoContact(e.target.value)}
            aria-invalid={concerns(problem, 'body/handling/no_contact_before') || undefined}
            aria-describedby={concerns(problem, 'body/handling/no_contact_before') ? 'pkg-no-contact-error' : undefined}
          />
          <FieldError error={problem} field="body/handling/no_contact_before" id="pkg-no-contact-error" />
        </div>
        <div className="field">
          <label>
            <input type="checkbox" checked={intelligence} onChange={(e) => setIntelligence(e.target.checked)} /> Intelligence only (not for use as evidence)
          </label>
        </div>
        <div className="field">
          <label htmlFor="pkg-restrictions">Other restrictions</label>
          <textarea
            id="pkg-restrictions"
            rows={2}
            value={restrictions}
            onChange={(e) => setRestrictions(e.target.value)}
            aria-describedby="pkg-restrictions-hint"
            aria-invalid={concerns(problem, 'body/handling/restrictions') || undefined}
          />
          <FieldError error={problem} field="body/handling/restrictions" id="pkg-restrictions-error" />
          <small id="pkg-restrictions-hint">One restriction a line.</small>
        </div>
        <Button weight="primary" type="submit" disabled={busy}>
          Build packages
        </Button>
      </form>
      <p className="actions">
        <Button weight="danger" disabled={busy || unsent.length === 0} onClick={() => void send()}>
          Send the packages not sent yet{unsent.length ? ` (${unsent.length})` : ''}
        </Button>
      </p>
      <Notice text={said} />
      <ErrorMessage error={problem ?? packages.error} beside={Object.keys(FIELDS)} />
      {packages.data && all.length === 0 && <p>No package built yet.</p>}
      {all.length > 0 && <PackagesTable caption="Lead packages" packages={all} handling busy={busy} onResend={(p) => void send(p)} />}
      <p>
        <Button onClick={packages.reload} disabled={packages.loading}>
          Refresh
        </Button>
      </p>
      {dialog}
    </>
  );
}
