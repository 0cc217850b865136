/**
 * What a triage writes: a CSV (one row per file), a VICS 2.0 case export (US model, #Cases: the
 * Media of every file with an MD5 or SHA1, categorised, with its series and whether a victim is
 * identified), and an HTML summary (counts per class and series, the new material by folder, the
 * unreadable files) — never a thumbnail of anything.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseClassification, classificationLabel } from '../banks/classification.js';
import { writeVics } from '../exchange/formats/vics-stream.js';
import type { ExportableContent } from '../exchange/formats/vics.js';
import { csvField } from '../hasher/output.js';
import type { TriageClass, TriageItem } from './triage.js';

export const TRIAGE_CSV_HEADER = 'path,class,classification,legal,series,victim_identified,bank,content_id,signal_type,distance,md5,sha1,pdq,error';
const NON_PERTINENT = parseClassification('vics:0');

export function triageCsv(items: readonly TriageItem[]): string {
  const rows = items.map((i) =>
    [
      i.path,
      i.class,
      i.classification ? classificationLabel(i.classification) : '',
      i.classification?.legal ?? '',
      i.series.map((s) => s.name).join(';'),
      i.class === 'known' ? String(i.victim_identified) : '',
      i.match?.bank ?? '',
      i.match?.content_id ?? '',
      i.match?.signal_type ?? '',
      i.match?.distance ?? '',
      i.signals.md5 ?? '',
      i.signals.sha1 ?? '',
      i.signals.pdq ?? '',
      i.error ?? '',
    ]
      .map((f) => csvField(f))
      .join(','),
  );
  return `${TRIAGE_CSV_HEADER}\n${rows.map((r) => `${r}\n`).join('')}`;
}

/** The items as VICS Media (what has neither MD5 nor SHA1 cannot be carried and is counted as skipped). */
export async function writeTriageVics(path: string, items: readonly TriageItem[], caseNumber: string): Promise<{ written: number; skipped: number }> {
  const contents: ExportableContent[] = items.map((i, n) => ({
    id: n + 1,
    classification: i.class === 'not_relevant' ? NON_PERTINENT : i.classification,
    tags: [i.class],
    note: i.error,
    metadata: {
      vics: {
        MediaID: String(n + 1),
        IsPrecategorized: i.class === 'known' || i.class === 'not_relevant',
        VictimIdentified: i.victim_identified,
        ...(i.series.length ? { Series: i.series.map((s) => s.name).join(';') } : {}),
        ...(i.size !== null ? { MediaSize: i.size } : {}),
        MediaFiles: [{ FileName: basename(i.path), FilePath: dirname(i.path) }],
      },
    },
    signals: Object.entries(i.signals).map(([signal_type, value]) => ({ signal_type, value })),
  }));
  async function* once() {
    yield contents;
  }
  return writeVics(path, once(), { form: 'Cases', caseNumber, sourceApplication: 'Alliance triage' });
}

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

export function triageHtml(items: readonly TriageItem[], meta: { input: string; caseNumber: string; generated: string }): string {
  const classes: TriageClass[] = ['new', 'known', 'not_relevant', 'unreadable'];
  const count = (c: TriageClass) => items.filter((i) => i.class === c).length;
  const series = new Map<string, { name: string; status: string; victims: number; files: number }>();
  for (const i of items) for (const s of i.series) series.set(s.uid, { name: s.name, status: s.status, victims: s.victims, files: (series.get(s.uid)?.files ?? 0) + 1 });
  const byFolder = new Map<string, string[]>();
  for (const i of items.filter((x) => x.class === 'new')) byFolder.set(dirname(i.path), [...(byFolder.get(dirname(i.path)) ?? []), basename(i.path)]);
  const label: Record<TriageClass, string> = { new: 'New (no match: review first)', known: 'Known', not_relevant: 'Not relevant (allow-listed)', unreadable: 'Unreadable or corrupt' };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Triage ${esc(meta.caseNumber)}</title>
<style>body{font:15px/1.45 system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}td.num{text-align:right}h2{margin-top:2rem}code{word-break:break-all}</style></head>
<body>
<h1>Triage of ${esc(meta.input)}</h1>
<p>Case ${esc(meta.caseNumber || '(no number)')} · ${items.length} files · generated ${esc(meta.generated)} by Alliance. No images are shown in this summary.</p>
<h2>Files per class</h2>
<table><tbody>${classes.map((c) => `<tr><th scope="row">${label[c]}</th><td class="num" data-class="${c}">${count(c)}</td></tr>`).join('')}</tbody></table>
<h2>Known series</h2>
${series.size ? `<table><thead><tr><th>Series</th><th>Status</th><th>Victims identified</th><th>Files</th></tr></thead><tbody>${[...series].map(([uid, s]) => `<tr data-series="${esc(uid)}"><td>${esc(s.name)} <small>${esc(uid)}</small></td><td>${esc(s.status.replace(/_/g, ' '))}</td><td class="num">${s.victims}</td><td class="num">${s.files}</td></tr>`).join('')}</tbody></table>` : '<p>No file belongs to a known series.</p>'}
<h2>New material by folder</h2>
${byFolder.size ? [...byFolder].map(([folder, names]) => `<h3><code>${esc(folder)}</code> (${names.length})</h3><ul>${names.map((n) => `<li><code>${esc(n)}</code></li>`).join('')}</ul>`).join('\n') : '<p>No new material.</p>'}
<h2>Unreadable files</h2>
${count('unreadable') ? `<ul>${items.filter((i) => i.class === 'unreadable').map((i) => `<li><code>${esc(i.path)}</code>: ${esc(i.error ?? '')}</li>`).join('')}</ul>` : '<p>None.</p>'}
</body></html>
`;
}

/** Writes the three outputs into `dir`; returns their paths. */
export async function writeTriageOutputs(dir: string, items: readonly TriageItem[], meta: { input: string; caseNumber: string }) {
  await mkdir(dir, { recursive: true });
  const paths = { csv: join(dir, 'triage.csv'), vics: join(dir, 'triage.vics.json'), html: join(dir, 'triage.html') };
  await writeFile(paths.csv, triageCsv(items), { mode: 0o600 });
  const vics = await writeTriageVics(paths.vics, items, meta.caseNumber);
  await writeFile(paths.html, triageHtml(items, { ...meta, generated: new Date().toISOString() }), { mode: 0o600 });
  return { paths, vics };
}
