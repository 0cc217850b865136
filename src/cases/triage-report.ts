/**
 * What a triage writes, streamed as items are classified (a million VICS entries never sit in
 * memory): a CSV (one row per file), a VICS 2.0 case export (US model, #Cases: the Media of every
 * file with a digest, categorised, with every flag, tag, comment and series its matched content
 * gave), and an HTML summary (counts per class, flag and series, the new material by folder, the
 * known files with a victim identified, the unreadable files)
 * — never a thumbnail of anything. The HTML lists at most HTML_LIST_LIMIT files per section; the
 * CSV always has them all.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseClassification, classificationLabel } from '../banks/classification.js';
import { type ExportableContent, writeAtomically, writeVics } from '../exchange/index.js';
import { csvField, htmlText } from '../hasher/output.js';
import { splitPath, TRIAGE_CLASSES, type TriageClass, type TriageItem } from './triage.js';
import { describeSource, FLAG_NAMES, VICS_FLAG_FIELD, type FlagName } from './triage-facts.js';

export const TRIAGE_CSV_HEADER =
  'path,class,classification,legal,series,victim_identified,victim_source,offender_identified,offender_source,distributed,self_generated,suspected,tags,comments,bank,content_id,origin,chain,signal_type,distance,md5,sha1,sha256,pdq,error';
/** Files listed by name in each section of the HTML summary. */
export const HTML_LIST_LIMIT = 10_000;
const NON_PERTINENT = parseClassification('vics:0');
const BATCH = 500;

export interface SeriesTally {
  uid: string;
  name: string;
  status: string;
  victims: number;
  files: number;
}

/** The counts a triage is summarised by, kept as items stream past. */
export class TriageSummary {
  files = 0;
  readonly counts: Record<TriageClass, number> = { new: 0, known: 0, not_relevant: 0, unreadable: 0 };
  readonly series = new Map<string, SeriesTally>();
  /** New files per folder (every folder), and the first HTML_LIST_LIMIT new files by name. */
  readonly newPerFolder = new Map<string, number>();
  readonly newListed = new Map<string, string[]>();
  readonly unreadableListed: Array<{ path: string; error: string; md5: string | null }> = [];
  private listed = 0;
  knownInSeries = 0;
  knownWithVictim = 0;
  /** Known files per flag their sources set (victim identified, offender identified, …). */
  readonly flags: Record<FlagName, number> = { victim_identified: 0, offender_identified: 0, distributed: 0, self_generated: 0, suspected: 0 };

  add(item: TriageItem): void {
    this.files++;
    this.counts[item.class]++;
    for (const s of item.series) {
      const t = this.series.get(s.uid) ?? { uid: s.uid, name: s.name, status: s.status, victims: s.victims, files: 0 };
      t.files++;
      this.series.set(s.uid, t);
    }
    if (item.class === 'known') {
      if (item.series.length || item.facts?.series_names.length) this.knownInSeries++;
      if (item.victim_identified) this.knownWithVictim++;
      for (const f of FLAG_NAMES) if (item.facts?.[f]) this.flags[f]++;
    } else if (item.class === 'new') {
      const { folder, name } = splitPath(item.path);
      this.newPerFolder.set(folder, (this.newPerFolder.get(folder) ?? 0) + 1);
      if (this.listed < HTML_LIST_LIMIT) {
        this.listed++;
        const names = this.newListed.get(folder);
        if (names) names.push(name);
        else this.newListed.set(folder, [name]);
      }
    } else if (item.class === 'unreadable' && this.unreadableListed.length < HTML_LIST_LIMIT) {
      this.unreadableListed.push({ path: item.path, error: item.error ?? '', md5: item.signals.md5 ?? null });
    }
  }
}

/** A field a spreadsheet would run as a formula (= + - @ first) starts with ' instead: file names are hostile input. */
const inert = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/** The series names of an item: the registry's and those its matched content's files give. */
export function seriesNamesOf(i: TriageItem): string[] {
  return [...new Set([...i.series.map((s) => s.name), ...(i.facts?.series_names ?? [])])];
}

export function csvRow(i: TriageItem): string {
  const f = i.facts;
  const flag = (v: boolean | undefined) => (f ? String(v) : '');
  return (
    [
      inert(i.path),
      i.class,
      i.classification ? classificationLabel(i.classification) : '',
      i.classification?.legal ?? '',
      inert(seriesNamesOf(i).join(';')),
      i.class === 'known' ? String(i.victim_identified) : '',
      inert(describeSource(f?.sources.victim_identified)),
      flag(f?.offender_identified),
      inert(describeSource(f?.sources.offender_identified)),
      flag(f?.distributed),
      flag(f?.self_generated),
      flag(f?.suspected),
      inert((f?.tags ?? []).join(';')),
      inert((f?.comments ?? []).join(' | ')),
      i.match?.bank ?? '',
      i.match?.content_id ?? '',
      f?.provenance ? inert(`${f.provenance.origin_member}/${f.provenance.origin_bank}`) : '',
      f?.provenance ? inert(f.provenance.chain.join('>')) : '',
      i.match?.signal_type ?? '',
      i.match?.distance ?? '',
      i.signals.md5 ?? '',
      i.signals.sha1 ?? '',
      i.signals.sha256 ?? '',
      i.signals.pdq ?? '',
      inert(i.error ?? ''),
    ]
      .map((f) => csvField(f))
      .join(',') + '\n'
  );
}

/**
 * One item as a VICS Media: its digests (and PDQ), the category, every flag, tag, comment and
 * series name its matched content gave; the class is a tag ("triage:new"), a decode error a
 * comment. What has no hash VICS can carry is counted as skipped.
 */
function vicsMedia(i: TriageItem, n: number): ExportableContent {
  const { folder, name } = splitPath(i.path);
  const f = i.facts;
  const flags = Object.fromEntries(FLAG_NAMES.map((k) => [VICS_FLAG_FIELD[k], k === 'victim_identified' ? i.victim_identified : (f?.[k] ?? false)]));
  const series = seriesNamesOf(i);
  const comments = [...(f?.comments ?? []), ...(i.error ? [i.error] : [])];
  return {
    id: n,
    classification: i.class === 'not_relevant' ? NON_PERTINENT : i.classification,
    tags: [...(f?.tags ?? []), `triage:${i.class}`],
    note: comments.length ? comments.join('\n') : null,
    metadata: {
      vics: {
        MediaID: String(n),
        IsPrecategorized: i.class === 'known' || i.class === 'not_relevant',
        ...flags,
        ...(series.length ? { Series: series.join(';') } : {}),
        ...(i.size !== null ? { MediaSize: i.size } : {}),
        MediaFiles: [{ FileName: name, FilePath: folder }],
      },
    },
    signals: Object.entries(i.signals).map(([signal_type, value]) => ({ signal_type, value })),
  };
}

const FLAG_LABEL: Record<FlagName, string> = {
  victim_identified: 'Victim identified',
  offender_identified: 'Offender identified',
  distributed: 'Distributed',
  self_generated: 'Self-generated',
  suspected: 'Suspected',
};

export function triageHtml(sum: TriageSummary, meta: { input: string; caseNumber: string; generated: string }): string {
  const label: Record<TriageClass, string> = {
    new: 'New (no match: review first)',
    known: 'Known',
    not_relevant: 'Not relevant (allow-listed)',
    unreadable: 'Unreadable or corrupt',
  };
  const more = (shown: number, total: number) => (total > shown ? `<p class="more">${total - shown} more not listed here: see triage.csv.</p>` : '');
  const folders = [...sum.newPerFolder].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const listedFolders = folders.filter(([f]) => sum.newListed.has(f));
  const listedNew = [...sum.newListed.values()].reduce((n, l) => n + l.length, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Triage ${htmlText(meta.caseNumber)}</title>
<style>body{font:15px/1.45 system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}td.num{text-align:right}h2{margin-top:2rem}code{word-break:break-all}</style></head>
<body>
<h1>Triage of ${htmlText(meta.input)}</h1>
<p>Case ${htmlText(meta.caseNumber || '(no number)')} · ${sum.files} files · generated ${htmlText(meta.generated)} by Alliance. No images are shown in this summary.</p>
<h2>Files per class</h2>
<table><tbody>${TRIAGE_CLASSES.map((c) => `<tr><th scope="row">${label[c]}</th><td class="num" data-class="${c}">${sum.counts[c]}</td></tr>`).join('')}</tbody></table>
<h2>What the known files' sources say</h2>
<table><tbody>${FLAG_NAMES.map((f) => `<tr><th scope="row">${FLAG_LABEL[f]}</th><td class="num" data-flag="${f}">${sum.flags[f]}</td></tr>`).join('')}</tbody></table>
<p>Each flag is the newest statement of the bank content's VICS record or of the series registry; triage.csv names the source of each.</p>
<h2>Known series</h2>
${sum.series.size ? `<table><thead><tr><th>Series</th><th>Status</th><th>Victims identified</th><th>Files</th></tr></thead><tbody>${[...sum.series.values()].map((s) => `<tr data-series="${htmlText(s.uid)}"><td>${htmlText(s.name)} <small>${htmlText(s.uid)}</small></td><td>${htmlText(s.status.replace(/_/g, ' '))}</td><td class="num">${s.victims}</td><td class="num">${s.files}</td></tr>`).join('')}</tbody></table>` : '<p>No file belongs to a known series.</p>'}
<h2>New material by folder</h2>
${
  folders.length
    ? `<table><thead><tr><th>Folder</th><th>New files</th></tr></thead><tbody>${folders
        .slice(0, HTML_LIST_LIMIT)
        .map(([f, n]) => `<tr><td><code>${htmlText(f)}</code></td><td class="num">${n}</td></tr>`)
        .join('')}</tbody></table>${more(Math.min(folders.length, HTML_LIST_LIMIT), folders.length).replace('more', 'more folders')}
${listedFolders
  .map(
    ([folder, n]) =>
      `<h3><code>${htmlText(folder)}</code> (${n})</h3><ul>${sum.newListed
        .get(folder)!
        .map((name) => `<li><code>${htmlText(name)}</code></li>`)
        .join('')}</ul>`,
  )
  .join('\n')}
${more(listedNew, sum.counts.new)}`
    : '<p>No new material.</p>'
}
<h2>Unreadable files</h2>
${sum.counts.unreadable ? `<ul>${sum.unreadableListed.map((i) => `<li><code>${htmlText(i.path)}</code>: ${htmlText(i.error)}${i.md5 ? ` <small>MD5 <code>${htmlText(i.md5)}</code></small>` : ''}</li>`).join('')}</ul>${more(sum.unreadableListed.length, sum.counts.unreadable)}` : '<p>None.</p>'}
</body></html>
`;
}

export interface TriageOutputs {
  paths: { csv: string; vics: string; html: string };
  vics: { written: number; skipped: number };
  summary: TriageSummary;
}

/**
 * Writes the three outputs into `dir` in one pass over `items`, handing each batch to `onBatch`
 * (the node records it) as it goes. The CSV and VICS files appear under their names only when complete.
 */
export async function writeTriageOutputs(
  dir: string,
  items: AsyncIterable<TriageItem>,
  meta: { input: string; caseNumber: string },
  onBatch?: (batch: TriageItem[], firstN: number) => Promise<void>,
): Promise<TriageOutputs> {
  await mkdir(dir, { recursive: true });
  const paths = { csv: join(dir, 'triage.csv'), vics: join(dir, 'triage.vics.json'), html: join(dir, 'triage.html') };
  const summary = new TriageSummary();
  const vics = await writeAtomically(
    paths.csv,
    async (writeCsv) => {
      await writeCsv(`${TRIAGE_CSV_HEADER}\n`);
      async function* batches(): AsyncGenerator<ExportableContent[]> {
        let batch: TriageItem[] = [];
        const flush = async () => {
          const first = summary.files + 1;
          for (const i of batch) summary.add(i);
          await writeCsv(batch.map(csvRow).join(''));
          await onBatch?.(batch, first);
          const media = batch.map((i, k) => vicsMedia(i, first + k));
          batch = [];
          return media;
        };
        for await (const item of items) {
          batch.push(item);
          if (batch.length === BATCH) yield await flush();
        }
        if (batch.length) yield await flush();
      }
      return writeVics(paths.vics, batches(), { form: 'Cases', caseNumber: meta.caseNumber, sourceApplication: 'Alliance triage' });
    },
    0o600,
  );
  await writeFile(paths.html, triageHtml(summary, { ...meta, generated: new Date().toISOString() }), { mode: 0o600 });
  return { paths, vics, summary };
}
