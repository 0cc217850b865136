/**
 * A minimal PDF 1.4 writer for text-only summaries (no PDF library is a dependency): landscape A4
 * pages of monospaced lines (Courier, a standard font every reader has), long lines wrapped. Text
 * is WinAnsi (Latin-1): other characters print as "?". No dates or ids inside, so the same lines
 * make the same bytes (a detached signature stays valid for a re-export of the same figures).
 */
const PAGE = { width: 842, height: 595, margin: 36, size: 8, leading: 10 };
const COLUMNS = Math.floor((PAGE.width - 2 * PAGE.margin) / (PAGE.size * 0.6));
const ROWS = Math.floor((PAGE.height - 2 * PAGE.margin) / PAGE.leading);

/** A PDF string literal's content: Latin-1 kept, anything else "?", the delimiters escaped. */
function pdfText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const b = (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) ? ch : '?';
    out += b === '\\' || b === '(' || b === ')' ? `\\${b}` : b;
  }
  return out;
}

function wrap(line: string): string[] {
  const chars = [...line];
  if (chars.length <= COLUMNS) return [line];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += COLUMNS) out.push(chars.slice(i, i + COLUMNS).join(''));
  return out;
}

export function textPdf(lines: string[], meta: { title: string }): Buffer {
  const rows = lines.flatMap(wrap);
  const pages: string[][] = [];
  for (let i = 0; i < Math.max(rows.length, 1); i += ROWS) pages.push(rows.slice(i, i + ROWS));
  // Objects: 1 catalog, 2 pages, 3 font, 4 info, then a page and its content per page.
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 5 + 2 * i);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>';
  objects[4] = `<< /Title (${pdfText(meta.title)}) /Producer (Alliance) >>`;
  pages.forEach((page, i) => {
    const top = PAGE.height - PAGE.margin - PAGE.size;
    const body = [
      'BT',
      `/F1 ${PAGE.size} Tf`,
      `${PAGE.leading} TL`,
      `${PAGE.margin} ${top} Td`,
      ...page.map((l) => `(${pdfText(l)}) Tj T*`),
      `(${pdfText(`page ${i + 1} of ${pages.length}`)}) Tj`,
      'ET',
    ].join('\n');
    objects[pageIds[i]] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[i] + 1} 0 R >>`;
    objects[pageIds[i] + 1] = `<< /Length ${Buffer.byteLength(body, 'latin1')} >>\nstream\n${body}\nendstream`;
  });
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(out, 'latin1');
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) out += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info 4 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
