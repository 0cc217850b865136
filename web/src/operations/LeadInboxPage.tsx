import { useState, type FormEvent } from 'react';
import type { InboxPackage, InboxPackageList } from '../../../src/api/contract/index.js';
import { api } from '../api';
import { concerns, ErrorMessage, FieldError } from '../ErrorMessage';
import { Link } from '../Link';
import { Notice } from '../Notice';
import { PageHeading } from '../PageHeading';
import type { FieldSentences } from '../problems';
import { useAction } from '../useAction';
import { useLoad } from '../useLoad';
import { when } from '../when';
import { Button, DataTable, Skeleton, useConfirm, useReason } from '../ui';
import { PackagesTable } from './PackagesTable';
import { OUTCOMES, placed, reasonText, words, type Outcome } from './shared';

/** The lead packages other authorities sent this one: from whom, for which operation, where each stands. */
export function LeadInboxPage() {
  const inbox = useLoad(() => api<InboxPackageList>('/lead-inbox'), []);
  const packages = inbox.data?.packages;
  return (
    <>
      <PageHeading title="Lead inbox" />
      <p>
        Lead packages referred to this authority by other members' operations, signed by their node. Acknowledge a package, accept or decline it, assign it, and
        record what came of each target: each step goes back to the sender as a signed status update.
      </p>
      <ErrorMessage error={inbox.error} />
      {inbox.loading && !packages && <Skeleton label="Loading the lead inbox…" table={{ columns: 7 }} />}
      {packages && (
        <DataTable
          caption="Received lead packages"
          className="lead-inbox"
          rows={packages}
          rowKey={(p) => p.id}
          rowProps={(p) => ({ 'data-inbox': p.uid, 'data-state': p.state })}
          empty="No lead package received yet."
          pageSize={50}
          columns={[
            {
              key: 'package',
              header: 'Package',
              rowHeader: true,
              className: 'ids',
              sort: (p) => p.id,
              cell: (p) => (
                <>
                  <Link href={`/lead-inbox/${p.id}`}>Package #{p.id}</Link> <small className="muted">{p.uid}</small>
                  {p.prior_uid && <div className="muted">supplements {p.prior_uid}</div>}
                </>
              ),
            },
            { key: 'from', header: 'From', sort: (p) => p.from, cell: (p) => p.from },
            {
              key: 'operation',
              header: 'Operation',
              sort: (p) => p.operation.name,
              cell: (p) => (
                <>
                  {p.operation.name} <div className="muted">{p.operation.owner_agency}</div>
                </>
              ),
            },
            { key: 'targets', header: 'Targets', numeric: true, sort: (p) => p.targets.length, cell: (p) => p.targets.length.toLocaleString('en') },
            {
              key: 'status',
              header: 'Status',
              sort: (p) => p.state,
              cell: (p) => (
                <>
                  {words(p.state)}
                  {p.reason && <div className="muted">{p.reason}</div>}
                </>
              ),
            },
            { key: 'assignee', header: 'Assigned to', sort: (p) => p.assignee, cell: (p) => p.assignee ?? '—' },
            { key: 'received', header: 'Received', sort: (p) => p.received_at, cell: (p) => when(p.received_at) },
          ]}
        />
      )}
    </>
  );
}

const OUTCOME_FIELDS: FieldSentences = {
  'body/count': { label: 'count', invalid: 'The count is a whole number from 1 to 100,000.' },
  'body/at': { label: 'date', invalid: 'The date is a date (YYYY-MM-DD).' },
  'body/target': { label: 'target' },
};
const ASSIGN_FIELDS: FieldSentences = { 'body/assignee': { label: 'assignee' } };

/** One received package: its operation and handling, its targets with their evidence, and the receiver's steps and outcomes. */
export function LeadPackagePage({ id }: { id: number }) {
  const pkg = useLoad(() => api<InboxPackage>(`/lead-inbox/${id}`), [id]);
  const { busy, error, run } = useAction();
  const { ask, dialog } = useReason();
  const [said, setSaid] = useState<string | null>(null);
  const [assignee, setAssignee] = useState<string | null>(null);
  const p = pkg.data;

  const step = (path: string, done: string, json?: unknown, fields?: FieldSentences) =>
    run(
      `The package was not ${path === 'assign' ? 'assigned' : `${path.replace(/e$/, '')}ed`}`,
      async () => {
        await api(`/lead-inbox/${id}/${path}`, { method: 'POST', ...(json ? { json } : {}) });
        setSaid(done);
        pkg.reload();
      },
      fields,
    );
  const decline = async () => {
    const reason = await ask({
      title: `Decline package #${id}?`,
      body: <p>The sender ({p?.from}) is told it is declined, with your reason. A declined package takes no outcomes.</p>,
      label: 'Why it is declined',
      confirm: 'Decline the package',
      danger: true,
    });
    if (reason !== null) await step('decline', 'Declined: the sender is told why.', { reason });
  };
  const assign = (e: FormEvent) => {
    e.preventDefault();
    if (!assignee?.trim()) return;
    void step('assign', `Assigned to ${assignee.trim()}.`, { assignee: assignee.trim() }, ASSIGN_FIELDS).then(() => setAssignee(null));
  };

  return (
    <>
      <PageHeading title={p ? `Lead package #${p.id} from ${p.from}` : 'Lead package'} />
      <p>
        <Link href="/lead-inbox">All received packages</Link>
      </p>
      <ErrorMessage error={pkg.error} />
      {p && (
        <>
          <dl className="facts">
            <dt>Package</dt>
            <dd>
              <code>{p.uid}</code>
              {p.prior_uid && <> (supplements {p.prior_uid})</>}
            </dd>
            {p.chain.length > 0 && (
              <>
                <dt>Came through</dt>
                <dd data-chain>
                  {p.chain.map((c) => `${c.from} (${c.uid})`).join(' → ')} → {p.from}
                </dd>
              </>
            )}
            <dt>Operation</dt>
            <dd>
              {p.operation.name} <small className="muted">{p.operation.uid}</small>
            </dd>
            <dt>Legal basis</dt>
            <dd>{p.operation.legal_basis}</dd>
            <dt>Owner agency</dt>
            <dd>{p.operation.owner_agency}</dd>
            <dt>Contact point</dt>
            <dd>{p.operation.contact_point}</dd>
            <dt>Handling</dt>
            <dd data-handling>{p.handling.length ? p.handling.join('; ') : 'no restriction'}</dd>
            <dt>Status</dt>
            <dd data-state={p.state}>
              {words(p.state)}
              {p.reason && `: ${p.reason}`}
            </dd>
            <dt>Assigned to</dt>
            <dd>{p.assignee ?? 'nobody yet'}</dd>
            <dt>Received</dt>
            <dd>{when(p.received_at)}</dd>
            <dt>Status updates</dt>
            <dd>
              {p.updates.delivered} of {p.updates.sent} delivered to {p.from}
            </dd>
          </dl>
          <p className="actions">
            {p.state === 'received' && (
              <Button disabled={busy} onClick={() => void step('acknowledge', 'Acknowledged: the sender is told.')}>
                Acknowledge
              </Button>
            )}{' '}
            {(p.state === 'received' || p.state === 'acknowledged') && (
              <>
                <Button weight="primary" disabled={busy} onClick={() => void step('accept', 'Accepted: record the outcomes per target below.')}>
                  Accept
                </Button>{' '}
                <Button weight="danger" disabled={busy} onClick={() => void decline()}>
                  Decline…
                </Button>
              </>
            )}
          </p>
          {p.state !== 'declined' && (
            <form className="choice" onSubmit={assign} aria-label="Assign the package">
              <label>
                Assign to{' '}
                <input
                  value={assignee ?? p.assignee ?? ''}
                  maxLength={200}
                  onChange={(e) => setAssignee(e.target.value)}
                  aria-invalid={concerns(error, 'body/assignee') || undefined}
                  aria-describedby={concerns(error, 'body/assignee') ? 'assignee-error' : undefined}
                />
              </label>{' '}
              <Button type="submit" disabled={busy || !assignee?.trim()}>
                Assign
              </Button>
              <FieldError error={error} field="body/assignee" id="assignee-error" />
            </form>
          )}
          <Notice text={said} />
          <ErrorMessage error={error} beside={['body/assignee']} />
          <h2>Targets ({p.targets.length})</h2>
          <table className="op-targets">
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">Identifiers</th>
                <th scope="col">Evidence</th>
                <th scope="col">Content shared</th>
                <th scope="col">Outcomes</th>
              </tr>
            </thead>
            <tbody>
              {p.targets.map((t) => (
                <tr key={t.ref} data-target={t.ref}>
                  <th scope="row">{t.ref}</th>
                  <td className="ids">
                    {t.identifiers.usernames.length > 0 && <div>users: {t.identifiers.usernames.join(', ')}</div>}
                    {t.identifiers.emails.length > 0 && <div>e-mail: {t.identifiers.emails.join(', ')}</div>}
                    {t.identifiers.ips.map((i) => (
                      <div key={`${i.ip}@${i.at}`}>
                        IP {i.ip}
                        {i.at ? ` at ${i.at}` : ''}
                      </div>
                    ))}
                    {t.identifiers.account_country && <div>account country: {t.identifiers.account_country}</div>}
                    {t.identifiers.device_ids.length > 0 && <div>devices: {t.identifiers.device_ids.join(', ')}</div>}
                    {t.identifiers.payment_refs.length > 0 && <div>payments: {t.identifiers.payment_refs.join(', ')}</div>}
                  </td>
                  <td className="ids">
                    {t.evidence.country_set_by_analyst ? 'country set by an analyst' : `${t.evidence.confidence} confidence`}
                    <ul className="reasons">
                      {t.evidence.reasons.map((r, i) => (
                        <li key={i}>
                          {r.country}: {reasonText(r)}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td className="ids">
                    {t.content.length === 0
                      ? 'none'
                      : t.content.map((c) => (
                          <div key={c.hash}>
                            <code className="hash">{c.hash}</code> {c.classification ?? 'unclassified'}
                            {c.series.length > 0 && ` (series ${c.series.join(', ')})`}
                          </div>
                        ))}
                  </td>
                  <td className="ids" data-col="outcomes">
                    {(p.outcomes[t.ref] ?? []).length === 0 ? (
                      <div>none yet</div>
                    ) : (
                      <ul className="reasons">
                        {p.outcomes[t.ref].map((o) => (
                          <li key={o.seq}>
                            {words(o.outcome)}
                            {o.count !== null && ` (${o.count})`} <small className="muted">{when(o.at)}</small>
                            {o.via.length > 0 && <small className="muted"> via {o.via.join(' ← ')}</small>}
                          </li>
                        ))}
                      </ul>
                    )}
                    {p.state === 'accepted' && <OutcomeForm pkg={p.id} target={t.ref} onRecorded={pkg.reload} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {(p.state === 'acknowledged' || p.state === 'accepted') && <ForwardForm pkg={p} onForwarded={pkg.reload} />}
          {p.forwards.length > 0 && <PackagesTable caption="Forwarded" packages={p.forwards} />}
        </>
      )}
      {dialog}
    </>
  );
}

const FORWARD_FIELDS: FieldSentences = {
  'body/country': { label: 'country', invalid: 'The country is a two-letter ISO 3166 code (NL, FR).' },
  'body/targets': { label: 'targets' },
};

/**
 * Re-referral: targets of this package found to be in a third country go on to that country's
 * authority (this node's routing table) in a new signed package that keeps the chain; a dialog
 * says what goes where before anything is sent. Their outcomes come back here and on to the origin.
 */
function ForwardForm({ pkg, onForwarded }: { pkg: InboxPackage; onForwarded: () => void }) {
  const [chosen, setChosen] = useState<string[]>([]);
  const [country, setCountry] = useState('');
  const { busy, error, run } = useAction();
  const confirm = useConfirm();
  const problem = placed(error, FORWARD_FIELDS);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const cc = country.trim().toUpperCase();
    const yes = await confirm.ask({
      title: `Forward ${chosen.length} target${chosen.length === 1 ? '' : 's'} to ${cc}?`,
      body: (
        <p>
          Sends {chosen.join(', ')} to the receiving authority for {cc} (this node's routing table) in a new signed package that names this one and the chain
          back to {pkg.chain[0]?.from ?? pkg.from}. It cannot be recalled.
        </p>
      ),
      confirm: 'Forward the targets',
      danger: true,
    });
    if (!yes) return;
    await run(
      'The targets were not forwarded',
      async () => {
        await api(`/lead-inbox/${pkg.id}/forward`, { json: { targets: chosen, country: cc } });
        setChosen([]);
        setCountry('');
        onForwarded();
      },
      FORWARD_FIELDS,
    );
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="forward-heading">
      <h2 id="forward-heading">Forward to a third country</h2>
      <fieldset>
        <legend>Targets</legend>
        {pkg.targets.map((t) => (
          <label key={t.ref} className="choice-item">
            <input
              type="checkbox"
              checked={chosen.includes(t.ref)}
              onChange={() => setChosen(chosen.includes(t.ref) ? chosen.filter((r) => r !== t.ref) : [...chosen, t.ref])}
            />{' '}
            {t.ref}{' '}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="forward-country">Country</label>
        <input
          id="forward-country"
          value={country}
          size={4}
          maxLength={10}
          required
          onChange={(e) => setCountry(e.target.value)}
          aria-invalid={concerns(problem, 'body/country') || undefined}
          aria-describedby={concerns(problem, 'body/country') ? 'forward-country-error' : undefined}
        />
        <FieldError error={problem} field="body/country" id="forward-country-error" />
      </div>
      <Button weight="danger" type="submit" disabled={busy || chosen.length === 0 || !country.trim()}>
        Forward…
      </Button>
      <ErrorMessage error={problem} beside={['body/country']} />
      {confirm.dialog}
    </form>
  );
}

/** Records one outcome for a target: which, when, and for victims safeguarded how many (a count, no names) and the series where known. */
function OutcomeForm({ pkg, target, onRecorded }: { pkg: number; target: string; onRecorded: () => void }) {
  const [outcome, setOutcome] = useState<Outcome>('identified');
  const [count, setCount] = useState('');
  const [series, setSeries] = useState('');
  const [at, setAt] = useState('');
  const { busy, error, run } = useAction();
  const problem = placed(error, OUTCOME_FIELDS);
  const slug = target.replace(/[^A-Za-z0-9_-]/g, '_');
  const victims = outcome === 'victims_safeguarded';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(
      `The outcome for ${target} was not recorded`,
      async () => {
        await api(`/lead-inbox/${pkg}/outcomes`, {
          json: {
            target,
            outcome,
            ...(victims ? { count: Number(count) } : {}),
            ...(victims && series.trim() ? { series: series.split(/[\s,]+/).filter(Boolean) } : {}),
            ...(at ? { at } : {}),
          },
        });
        setCount('');
        setSeries('');
        onRecorded();
      },
      OUTCOME_FIELDS,
    );
  };

  return (
    <form onSubmit={submit} aria-label={`Outcome for ${target}`} className="outcome-form">
      <label>
        Outcome{' '}
        <select value={outcome} onChange={(e) => setOutcome(e.target.value as Outcome)}>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {words(o)}
            </option>
          ))}
        </select>
      </label>{' '}
      {victims && (
        <>
          <label>
            How many{' '}
            <input
              type="number"
              min={1}
              max={100_000}
              required
              value={count}
              onChange={(e) => setCount(e.target.value)}
              className="count"
              aria-invalid={concerns(problem, 'body/count') || undefined}
              aria-describedby={concerns(problem, 'body/count') ? `count-${slug}-error` : undefined}
            />
          </label>{' '}
          <label>
            Series <input value={series} size={12} onChange={(e) => setSeries(e.target.value)} placeholder="where known" />
          </label>{' '}
        </>
      )}
      <label>
        On{' '}
        <input
          type="date"
          value={at}
          onChange={(e) => setAt(e.target.value)}
          aria-invalid={concerns(problem, 'body/at') || undefined}
          aria-describedby={concerns(problem, 'body/at') ? `at-${slug}-error` : undefined}
        />
      </label>{' '}
      <Button weight="primary" type="submit" disabled={busy}>
        Record<span className="sr-only"> the outcome for {target}</span>
      </Button>
      <FieldError error={problem} field="body/count" id={`count-${slug}-error`} />
      <FieldError error={problem} field="body/at" id={`at-${slug}-error`} />
      <ErrorMessage error={problem} beside={['body/count', 'body/at']} />
    </form>
  );
}
