import { useState, type FormEvent } from 'react';
import { api, apiBlob, saveBlob } from './api';
import { ErrorMessage } from './ErrorMessage';
import { Link } from './Link';
import { PageHeading } from './PageHeading';
import { useAction } from './useAction';
import { useLoad } from './useLoad';
import { when } from './when';

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
      {runs.data && runs.data.runs.length === 0 && <p>No triage has been run on this node yet.</p>}
      {runs.data && runs.data.runs.length > 0 && (
        <table className="triage-runs">
          <caption className="sr-only">Triage runs</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Input</th>
              <th scope="col">Case</th>
              <th scope="col">Started</th>
              <th scope="col">Status</th>
              <th scope="col">Files</th>
              {CLASSES.map((c) => (
                <th scope="col" key={c}>
                  {LABEL[c]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {runs.data.runs.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link href={`/triage/${r.id}`}>Run {r.id}</Link>
                </td>
                <td>
                  <code>{r.input}</code> ({r.kind})
                </td>
                <td>{r.case_number || '—'}</td>
                <td>{when(r.started_at)}</td>
                <td>{r.status}</td>
                <td className="num">{r.files}</td>
                {CLASSES.map((c) => (
                  <td className="num" key={c} data-class={c}>
                    {r.counts[c] ?? 0}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
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
                <button type="button" aria-pressed={cls === c && folder === null} onClick={() => filter(c)} data-class={c}>
                  {LABEL[c]}: <strong>{r.counts[c] ?? 0}</strong>
                </button>
              </li>
            ))}
            <li>
              <button type="button" aria-pressed={cls === '' && folder === null} onClick={() => filter('')}>
                All: <strong>{r.files}</strong>
              </button>
            </li>
          </ul>
          {r.status === 'done' && (
            <p className="actions">
              Outputs:{' '}
              <button type="button" disabled={busy} onClick={() => download('csv', 'triage.csv')}>
                CSV
              </button>{' '}
              <button type="button" disabled={busy} onClick={() => download('vics', 'triage.vics.json')}>
                VICS case export
              </button>{' '}
              <button type="button" disabled={busy} onClick={() => download('html', 'triage.html')}>
                HTML summary
              </button>
            </p>
          )}
          <section aria-labelledby="series-heading">
            <h2 id="series-heading">Known series</h2>
            {r.series.length === 0 ? (
              <p>No file belongs to a known series.</p>
            ) : (
              <table className="triage-series">
                <thead>
                  <tr>
                    <th scope="col">Series</th>
                    <th scope="col">Status</th>
                    <th scope="col">Victims identified</th>
                    <th scope="col">Files</th>
                  </tr>
                </thead>
                <tbody>
                  {r.series.map((s) => (
                    <tr key={s.uid} data-series={s.uid}>
                      <td>
                        {s.name} <small>{s.uid}</small>
                      </td>
                      <td>{words(s.status)}</td>
                      <td className="num">{s.victims}</td>
                      <td className="num">{s.files}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="folders-heading">
            <h2 id="folders-heading">New material by folder</h2>
            {r.new_folders.length === 0 ? (
              <p>No new material.</p>
            ) : (
              <ul className="folders">
                {r.new_folders.map((f) => (
                  <li key={f.folder}>
                    <button type="button" aria-pressed={folder === f.folder} onClick={() => filter('new', f.folder)}>
                      <code>{f.folder}</code> ({f.files})
                    </button>
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
          <button type="submit">Search</button>
        </form>
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
            <p className="pager">
              <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                Previous
              </button>{' '}
              <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
                Next
              </button>
            </p>
          </>
        )}
      </section>
    </>
  );
}
