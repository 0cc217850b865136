import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorMessage } from '../ErrorMessage';
import { useAction } from '../useAction';
import { useLoad } from '../useLoad';
import type { Campaign, ManualIndicator as Manual, MnrAssessment as Assessment } from '../../../src/api/contract/index.js';
import { Button } from '../ui/Button';
import { DataTable, type Column } from '../ui/DataTable';

const AUDIENCES = ['children', 'parents', 'educators', 'professionals', 'general_public', 'offenders'];
const CHANNELS = ['school', 'online', 'broadcast', 'print', 'event', 'other'];
const words = (s: string) => s.replace(/_/g, ' ');

const CAMPAIGN_COLUMNS: ReadonlyArray<Column<Campaign>> = [
  { key: 'starts', header: 'Starts', sort: (x) => x.starts_on, cell: (x) => x.starts_on },
  { key: 'country', header: 'Country', sort: (x) => x.country, cell: (x) => x.country },
  { key: 'title', header: 'Title', sort: (x) => x.title, cell: (x) => x.title },
  { key: 'audience', header: 'Audience', sort: (x) => x.audience, cell: (x) => words(x.audience) },
  { key: 'channel', header: 'Channel', sort: (x) => x.channel, cell: (x) => x.channel },
  { key: 'reach', header: 'Reach', numeric: true, sort: (x) => x.reach, cell: (x) => x.reach.toLocaleString('en-GB') },
];

/** What the node cannot see for itself: the MNR self-assessment, prosecutions and convictions, awareness campaigns. */
export function ReportingInputs({ period }: { period: string }) {
  const mnr = useLoad(() => api<Assessment>(`/mnr/${encodeURIComponent(period)}`), [period]);
  const manual = useLoad(() => api<{ entries: Manual[] }>('/manual-indicators'), []);
  const campaigns = useLoad(() => api<{ campaigns: Campaign[] }>('/campaigns'), []);
  const { busy, error, run } = useAction();
  const [ratings, setRatings] = useState<Record<number, { phase: string; evidence: string }>>({});
  const [entry, setEntry] = useState({ kind: 'prosecutions', value: '', source: '' });
  const [c, setC] = useState({ country: '', title: '', audience: 'children', channel: 'school', reach: '', starts_on: '' });

  useEffect(() => {
    if (mnr.data)
      setRatings(Object.fromEntries(mnr.data.capabilities.map((x) => [x.id, { phase: x.phase ? String(x.phase) : '', evidence: x.evidence ?? '' }])));
  }, [mnr.data]);

  const saveMnr = (e: FormEvent) => {
    e.preventDefault();
    if (!mnr.data) return; // the ratings on screen belong to another period until it has loaded
    const list = Object.entries(ratings)
      .filter(([, r]) => r.phase)
      .map(([id, r]) => ({ capability: Number(id), phase: Number(r.phase), evidence: r.evidence }));
    void run('The self-assessment was not saved', async () => {
      await api(`/mnr/${encodeURIComponent(period)}`, { method: 'PUT', json: { ratings: list } });
      mnr.reload();
    });
  };
  const saveManual = (e: FormEvent) => {
    e.preventDefault();
    void run('The figure was not saved', async () => {
      await api('/manual-indicators', { method: 'PUT', json: { period, kind: entry.kind, value: Number(entry.value), source: entry.source } });
      setEntry({ ...entry, value: '', source: '' });
      manual.reload();
    });
  };
  const addCampaign = (e: FormEvent) => {
    e.preventDefault();
    void run('The campaign was not recorded', async () => {
      await api('/campaigns', { json: { ...c, reach: Number(c.reach) } });
      setC({ ...c, title: '', reach: '' });
      campaigns.reload();
    });
  };

  return (
    <>
      <ErrorMessage error={mnr.error ?? manual.error ?? campaigns.error ?? error} />
      <form onSubmit={saveMnr} aria-label={`Self-assessment ${period}`}>
        <h2>Model National Response self-assessment, {period}</h2>
        {mnr.data && (
          <table className="mnr">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Capability</th>
                <th scope="col">Phase</th>
                <th scope="col">Evidence</th>
              </tr>
            </thead>
            <tbody>
              {mnr.data.capabilities.map((x) => (
                <tr key={x.id} data-capability={x.id}>
                  <td className="num">{x.id}</td>
                  <th scope="row">
                    {x.name} <small className="muted">{x.group}</small>
                  </th>
                  <td>
                    <select
                      aria-label={`Phase of capability ${x.id}`}
                      value={ratings[x.id]?.phase ?? ''}
                      onChange={(e) => setRatings({ ...ratings, [x.id]: { ...ratings[x.id], phase: e.target.value } })}
                    >
                      <option value="">not assessed</option>
                      {mnr.data!.phases.map((p, i) => (
                        <option key={p} value={i + 1}>
                          {i + 1} {p}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      aria-label={`Evidence for capability ${x.id}`}
                      maxLength={5000}
                      value={ratings[x.id]?.evidence ?? ''}
                      onChange={(e) => setRatings({ ...ratings, [x.id]: { ...ratings[x.id], evidence: e.target.value } })}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Button type="submit" weight="primary" disabled={busy || !mnr.data || !Object.values(ratings).some((r) => r.phase)}>
          Save self-assessment
        </Button>
      </form>

      <form onSubmit={saveManual} aria-label="Figures entered by hand">
        <h2>Prosecutions and convictions, {period}</h2>
        <p className="muted">Figures this node cannot see, entered with their source.</p>
        <label>
          Figure{' '}
          <select value={entry.kind} onChange={(e) => setEntry({ ...entry, kind: e.target.value })}>
            <option value="prosecutions">prosecutions</option>
            <option value="convictions">convictions</option>
          </select>
        </label>{' '}
        <label>
          Number <input type="number" min={0} required value={entry.value} onChange={(e) => setEntry({ ...entry, value: e.target.value })} size={6} />
        </label>{' '}
        <label>
          Source <input required maxLength={500} value={entry.source} onChange={(e) => setEntry({ ...entry, source: e.target.value })} />
        </label>{' '}
        <Button type="submit" weight="primary" disabled={busy}>
          Save figure
        </Button>
        {manual.data && manual.data.entries.length > 0 && (
          <ul className="manual-entries">
            {manual.data.entries.map((m) => (
              <li key={`${m.period}/${m.kind}`}>
                {m.period} {m.kind}: {m.value} — {m.source}
              </li>
            ))}
          </ul>
        )}
      </form>

      <form onSubmit={addCampaign} aria-label="Record a campaign">
        <h2>Awareness campaigns</h2>
        <label>
          Country <input required maxLength={2} size={3} value={c.country} onChange={(e) => setC({ ...c, country: e.target.value.toUpperCase() })} />
        </label>{' '}
        <label>
          Title <input required maxLength={200} value={c.title} onChange={(e) => setC({ ...c, title: e.target.value })} />
        </label>{' '}
        <label>
          Audience{' '}
          <select value={c.audience} onChange={(e) => setC({ ...c, audience: e.target.value })}>
            {AUDIENCES.map((a) => (
              <option key={a} value={a}>
                {words(a)}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          Channel{' '}
          <select value={c.channel} onChange={(e) => setC({ ...c, channel: e.target.value })}>
            {CHANNELS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          Reach <input type="number" min={0} required size={8} value={c.reach} onChange={(e) => setC({ ...c, reach: e.target.value })} />
        </label>{' '}
        <label>
          Starts on <input type="date" required value={c.starts_on} onChange={(e) => setC({ ...c, starts_on: e.target.value })} />
        </label>{' '}
        <Button type="submit" weight="primary" disabled={busy}>
          Record campaign
        </Button>
        {campaigns.data && campaigns.data.campaigns.length > 0 && (
          <DataTable
            caption="Campaigns recorded"
            className="campaigns"
            columns={CAMPAIGN_COLUMNS}
            rows={campaigns.data.campaigns}
            rowKey={(x) => x.id}
            pageSize={25}
          />
        )}
      </form>
    </>
  );
}
