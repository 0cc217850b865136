import { useState, type FormEvent } from 'react';
import { api, apiBlob, saveBlob } from './api';
import { ErrorMessage } from './ErrorMessage';
import { Link } from './Link';
import { PageHeading } from './PageHeading';
import { DataTable, Pager, type Column } from './ui/DataTable';
import { EmptyState } from './ui/EmptyState';
import { Skeleton } from './ui/Skeleton';
import { useAction } from './useAction';
import { useLoad } from './useLoad';
import { when } from './when';
import { Button } from './ui/Button';

type TriageClass = 'new' | 'known' | 'not_relevant' | 'unreadable';
const CLASSES: readonly TriageClass[] = ['new', 'known', 'not_relevant', 'unreadable'];
const LABEL: Record<TriageClass, string> = { new: 'New (review first)', known: 'Known', not_relevant: 'Not relevant', unreadable: 'Unreadable' };
const PAGE = 100;

interface Run {
  id: number;
  input: string;
  kind: 'folder' | 'vics' | 'hashes';
  case_number: string;
  status: string;
  files: number;
  counts: Partial<Record<TriageClass, number>>;
  resumed: number;
  created_by: string;
  started_at: string;
  finished_at: string | null;
  error: string | null;
}

interface RunDetail extends Run {
  series: Array<{ uid: string; name: string; status: string; victims: number; files: number }>;
  new_folders: Array<{ folder: string; files: number }>;
}

interface Item {
  n: number;
  path: string;
  class: TriageClass;
  classification: string | null;
  series: Array<{ uid: string; name: string }>;
  victim_identified: boolean;
  match: { bank: string; signal_type: string; distance: number } | null;
  md5: string | null;
  error: string | null;
  facts: Facts | null;
}

type FlagName = 'victim_identified' | 'offender_identified' | 'distributed' | 'self_generated' | 'suspected';

/** What the matched content says of a known file (the server's triage-facts.ts). */
interface Facts extends Record<FlagName, boolean> {
  sources: Partial<Record<FlagName, { value: boolean; at: string | null; source: string }>>;
  tags: string[];
  comments: string[];
  series_names: string[];
}

const OTHER_FLAGS: Array<[Exclude<FlagName, 'victim_identified'>, string]> = [
  ['offender_identified', 'offender identified'],
  ['distributed', 'distributed'],
  ['self_generated', 'self-generated'],
  ['suspected', 'suspected'],
];

const sourceText = (s: { source: string; at: string | null } | undefined) => (s ? `${s.source}${s.at ? `, ${s.at.slice(0, 10)}` : ''}` : 'no source says');

/** A known file's victim status with the source that said it. */
function VictimCell({ item }: { item: Item }) {
  if (item.class !== 'known') return null;
  const src = item.facts?.sources.victim_identified;
  return (
    <>
      {item.victim_identified ? 'yes' : 'no'}
      <br />
      <small className="source">{sourceText(src)}</small>
    </>
  );
}

/** The other flags, tags and comments the matched content gave. */
function FactsCell({ facts }: { facts: Facts | null }) {
  if (!facts) return null;
  const flags = OTHER_FLAGS.filter(([f]) => facts[f]).map(([, label]) => label);
  return (
    <>
      {flags.length > 0 && <span className="flags">{flags.join(', ')}</span>}
      {facts.tags.length > 0 && <div className="tags">tags: {facts.tags.join(', ')}</div>}
      {facts.comments.map((c, k) => (
        <div key={k} className="comment">
          {c}
        </div>
      ))}
    </>
  );
}

const words = (s: string) => s.replace(/_/g, ' ');

const RUN_COLUMNS: ReadonlyArray<Column<Run>> = [
  { key: 'run', header: 'Run', sort: (r) => r.id, cell: (r) => <Link href={`/triage/${r.id}`}>Run {r.id}</Link> },
  {
    key: 'input',
    header: 'Input',
    sort: (r) => r.input,
    cell: (r) => (
      <>
        <code>{r.input}</code> ({r.kind})
      </>
    ),
  },
  { key: 'case', header: 'Case', sort: (r) => r.case_number, cell: (r) => r.case_number || '—' },
  { key: 'started', header: 'Started', sort: (r) => r.started_at, cell: (r) => when(r.started_at) },
  { key: 'status', header: 'Status', sort: (r) => r.status, cell: (r) => r.status },
  { key: 'files', header: 'Files', numeric: true, sort: (r) => r.files, cell: (r) => r.files },
  ...CLASSES.map((c): Column<Run> => ({
    key: c,
    header: LABEL[c],
    numeric: true,
    sort: (r) => r.counts[c] ?? 0,
    cell: (r) => <span data-class={c}>{r.counts[c] ?? 0}</span>,
  })),
];

const SERIES_COLUMNS: ReadonlyArray<Column<RunDetail['series'][number]>> = [
  {
    key: 'series',
    header: 'Series',
    sort: (s) => s.name,
    cell: (s) => (
      <>
        {s.name} <small>{s.uid}</small>
      </>
    ),
  },
  { key: 'status', header: 'Status', sort: (s) => s.status, cell: (s) => words(s.status) },
  { key: 'victims', header: 'Victims identified', numeric: true, sort: (s) => s.victims, cell: (s) => s.victims },
  { key: 'files', header: 'Files', numeric: true, sort: (s) => s.files, cell: (s) => s.files },
];

/** Triage results: the runs recorded on this node (`alliance triage`), newest first. */
export function TriagePage() {
  const runs = useLoad(() => api<{ runs: Run[] }>('/triage/runs'), []);
  return (
    <>
      <PageHeading title="Triage" />
      <p>
        Seized media triaged on this node with <code>alliance triage</code>: every file known (with its series), new (no match — review first), not relevant
        (allow-listed) or unreadable. No images are shown here.
      </p>
      <ErrorMessage error={runs.error} />
      {runs.loading && !runs.data && <Skeleton label="Loading triage runs…" table={{ columns: 10 }} />}
      {runs.data && (
        <DataTable
          caption="Triage runs"
          className="triage-runs"
          columns={RUN_COLUMNS}
          rows={runs.data.runs}
          rowKey={(r) => r.id}
          pageSize={25}
          empty={
            <>
              No triage has been run on this node yet: <code>alliance triage</code> records one.
            </>
          }
        />
      )}
    </>
  );
}

/** One run: counts per class, its outputs, the series met, the new material by folder, and its files. */
export function TriageRunPage({ id }: { id: number }) {
  const run = useLoad(() => api<RunDetail>(`/triage/runs/${id}`), [id]);
  const [cls, setCls] = useState<TriageClass | ''>('new');
  const [folder, setFolder] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const [offset, setOffset] = useState(0);
  const params = new URLSearchParams({
    limit: String(PAGE),
    offset: String(offset),
    ...(cls ? { class: cls } : {}),
    ...(folder !== null ? { folder } : {}),
    ...(query ? { q: query } : {}),
  });
  const items = useLoad(() => api<{ items: Item[]; total: number }>(`/triage/runs/${id}/items?${params}`), [id, params.toString()]);
  const { busy, error, run: act } = useAction();

  const filter = (c: TriageClass | '', f: string | null = null) => {
    setCls(c);
    setFolder(f);
    setOffset(0);
  };
  const search = (e: FormEvent) => {
    e.preventDefault();
    setQuery(text.trim());
    setOffset(0);
  };
  const download = (kind: 'csv' | 'vics' | 'html', name: string) =>
    act(`The ${name} was not downloaded`, async () => {
      const blob = await apiBlob(`/triage/runs/${id}/outputs/${kind}`);
      saveBlob(blob, `triage-${id}-${name}`);
    });

  const r = run.data;
  const total = items.data?.total ?? 0;
  return (
    <>
      <PageHeading title={`Triage run ${id}`} />
      <p>
        <Link href="/triage">All triage runs</Link>
      </p>
      <ErrorMessage error={run.error ?? items.error ?? error} />
      {run.loading && !r && <Skeleton label="Loading the run…" lines={4} />}
      {r && (
        <>
          <p>
            <code>{r.input}</code> ({r.kind}) · case {r.case_number || '(no number)'} · {r.status}, started {when(r.started_at)}, finished {when(r.finished_at)}{' '}
            by {r.created_by} · {r.files} files
            {r.resumed ? ` (${r.resumed} hashed by an interrupted run before)` : ''}
          </p>
          {r.error && <p role="alert">{r.error}</p>}
          <ul className="counts triage-counts" aria-label="Files per class">
            {CLASSES.map((c) => (
              <li key={c}>
                <Button aria-pressed={cls === c && folder === null} onClick={() => filter(c)} data-class={c}>
                  {LABEL[c]}: <strong>{r.counts[c] ?? 0}</strong>
                </Button>
              </li>
            ))}
            <li>
              <Button aria-pressed={cls === '' && folder === null} onClick={() => filter('')}>
                All: <strong>{r.files}</strong>
              </Button>
            </li>
          </ul>
          {r.status === 'done' && (
            <p className="actions">
              Outputs:{' '}
              <Button disabled={busy} onClick={() => download('csv', 'triage.csv')}>
                CSV
              </Button>{' '}
              <Button disabled={busy} onClick={() => download('vics', 'triage.vics.json')}>
                VICS case export
              </Button>{' '}
              <Button disabled={busy} onClick={() => download('html', 'triage.html')}>
                HTML summary
              </Button>
            </p>
          )}
          <section aria-labelledby="series-heading">
            <h2 id="series-heading">Known series</h2>
            <DataTable
              caption="Known series"
              className="triage-series"
              columns={SERIES_COLUMNS}
              rows={r.series}
              rowKey={(s) => s.uid}
              rowProps={(s) => ({ 'data-series': s.uid })}
              pageSize={25}
              empty="No file belongs to a known series."
            />
          </section>
          <section aria-labelledby="folders-heading">
            <h2 id="folders-heading">New material by folder</h2>
            {r.new_folders.length === 0 ? (
              <EmptyState>No new material.</EmptyState>
            ) : (
              <ul className="folders">
                {r.new_folders.map((f) => (
                  <li key={f.folder}>
                    <Button aria-pressed={folder === f.folder} onClick={() => filter('new', f.folder)}>
                      <code>{f.folder}</code> ({f.files})
                    </Button>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
      <section aria-labelledby="files-heading">
        <h2 id="files-heading">
          Files{cls ? `: ${LABEL[cls].toLowerCase()}` : ''}
          {folder !== null ? ` in ${folder}` : ''}
        </h2>
        <form onSubmit={search} role="search" className="choice">
          <label>
            Path contains <input value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <Button type="submit" weight="primary">
            Search
          </Button>
        </form>
        {items.loading && !items.data && <Skeleton label="Loading files…" table={{ columns: 9 }} />}
        {items.data && (
          <>
            <p aria-live="polite">{total === 0 ? 'No files.' : `Files ${offset + 1}–${Math.min(offset + PAGE, total)} of ${total}.`}</p>
            {items.data.items.length > 0 && (
              <table className="triage-items">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Path</th>
                    <th scope="col">Class</th>
                    <th scope="col">Classification</th>
                    <th scope="col">Series</th>
                    <th scope="col">Victim identified</th>
                    <th scope="col">Flags, tags, comments</th>
                    <th scope="col">Match</th>
                    <th scope="col">MD5 / error</th>
                  </tr>
                </thead>
                <tbody>
                  {items.data.items.map((i) => (
                    <tr key={i.n} data-class={i.class}>
                      <td className="num">{i.n}</td>
                      <td>
                        <code>{i.path}</code>
                      </td>
                      <td>{words(i.class)}</td>
                      <td>{i.classification ?? ''}</td>
                      <td>{[...new Set([...i.series.map((s) => s.name), ...(i.facts?.series_names ?? [])])].join(', ')}</td>
                      <td>
                        <VictimCell item={i} />
                      </td>
                      <td>
                        <FactsCell facts={i.facts} />
                      </td>
                      <td>{i.match ? `${i.match.bank} (${i.match.signal_type}, distance ${i.match.distance})` : ''}</td>
                      <td>
                        <code>{i.md5 ?? ''}</code>
                        {i.error && <div className="error">{i.error}</div>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <Pager
              label="Files: pages"
              range={total === 0 ? '' : `Page ${Math.floor(offset / PAGE) + 1} of ${Math.ceil(total / PAGE)}`}
              busy={items.loading}
              onPrevious={offset === 0 ? undefined : () => setOffset(Math.max(0, offset - PAGE))}
              onNext={offset + PAGE >= total ? undefined : () => setOffset(offset + PAGE)}
            />
          </>
        )}
      </section>
    </>
  );
}
