/**
 * The streaming CSV reader (exchange/formats/csv.ts) that bank imports and operation target files
 * go through: RFC 4180 quoting, line numbers for errors, and the same records however the text is
 * split into chunks — checked against a character-at-a-time reading of the whole text.
 */
import { describe, expect, it } from 'vitest';
import { parseCsv, type CsvRecord } from '../../src/exchange/formats/csv.js';
import { seededRandom } from '../support/random.js';

async function read(chunks: string[]): Promise<Array<CsvRecord | string>> {
  const out: Array<CsvRecord | string> = [];
  try {
    for await (const r of parseCsv(
      (async function* () {
        yield* chunks;
      })(),
    ))
      out.push(r);
  } catch (err) {
    out.push(`error: ${(err as Error).message}`);
  }
  return out;
}

/** The oracle: the whole text read one character at a time, as RFC 4180 says. */
function oracle(text: string): Array<CsvRecord | string> {
  const out: Array<CsvRecord | string> = [];
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let closed = false;
  let started = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
        closed = true;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === ',' || c === '\n') {
      fields.push(field);
      field = '';
      closed = false;
      started ||= c === ',';
      if (c === '\n') {
        if (started || fields.length > 1 || fields[0] !== '') out.push({ line: recordLine, fields });
        fields = [];
        started = false;
        recordLine = ++line;
      }
    } else if (c === '\r') continue;
    else if (closed) return [...out, `error: line ${line}: text after a closing quote`];
    else if (c === '"') {
      if (field) return [...out, `error: line ${line}: a quote inside an unquoted field`];
      quoted = started = true;
    } else {
      field += c;
      started = true;
    }
  }
  if (quoted) return [...out, `error: line ${recordLine}: a quoted field is not closed`];
  if (started || field !== '' || fields.length > 0) out.push({ line: recordLine, fields: [...fields, field] });
  return out;
}

describe('the streaming CSV reader', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF, a BOM, and skips blank lines', async () => {
    const text = '\uFEFFref,note\r\n1,"a, b"\r\n\r\n2,"say ""hi"""\n3,"two\nlines"\n4,\n';
    expect(await read([text])).toEqual([
      { line: 1, fields: ['ref', 'note'] },
      { line: 2, fields: ['1', 'a, b'] },
      { line: 4, fields: ['2', 'say "hi"'] },
      { line: 5, fields: ['3', 'two\nlines'] },
      { line: 7, fields: ['4', ''] },
    ]);
  });

  it('names the line of each kind of malformed text', async () => {
    expect((await read(['a,b\nc,d"e\n'])).at(-1)).toBe('error: line 2: a quote inside an unquoted field');
    expect((await read(['a\n"b"c\n'])).at(-1)).toBe('error: line 2: text after a closing quote');
    expect((await read(['a\nb,"never\nclosed\n'])).at(-1)).toBe('error: line 2: a quoted field is not closed');
  });

  it('gives the records of a character-at-a-time reading however the text is split into chunks', async () => {
    const rnd = seededRandom(0x2545f491);
    const pieces = ['a', 'b', ',', '"', '""', '\n', '\r', '\r\n', 'é', '名', '\uFEFF', ' ', 'a-field-longer-than-thirteen'];
    let compared = 0;
    for (let t = 0; t < 5000; t++) {
      let text = '';
      for (let n = Math.floor(rnd() * 40); n > 0; n--) text += pieces[Math.floor(rnd() * pieces.length)];
      const chunks: string[] = [];
      for (let i = 0; i < text.length;) {
        const k = Math.floor(rnd() * 7);
        chunks.push(text.slice(i, i + k));
        i += k;
      }
      const want = oracle(text);
      expect(await read(chunks), JSON.stringify(chunks)).toEqual(want);
      compared += want.length;
    }
    expect(compared).toBeGreaterThan(5000);
  });
});
