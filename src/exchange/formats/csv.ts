/**
 * CSV (RFC 4180) read as a stream: quoted fields with commas, quotes and newlines, CRLF or LF,
 * a BOM at the start. Yields records with the line number where each starts, so errors can name
 * the line.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;

/** A field as a string of its own: a slice of 13 characters or more would keep its whole chunk (1 MB) alive as long as the field is kept. */
const own = (s: string) => (s.length < 13 ? s : (' ' + s).slice(1));

/**
 * Parses CSV text chunks into records (chunks may split a record anywhere). Runs of plain text
 * are taken as slices, not a character at a time, and each record is yielded as soon as it ends.
 */
export async function* parseCsv(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  let field = '';
  let fields: string[] = [];
  let inQuotes = false;
  /** Inside quotes, a quote was seen: either "" (escaped) or the closing quote. */
  let quoteSeen = false;
  /** The field was quoted and is closed: only a separator may follow. */
  let closed = false;
  let line = 1;
  let recordLine = 1;
  let started = false;
  let first = true;
  const endField = () => {
    fields.push(own(field));
    field = '';
    closed = false;
  };
  for await (let chunk of chunks) {
    if (first && chunk.length > 0) {
      // A BOM starts the text (a decoder may yield an empty chunk before it).
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (inQuotes) {
        if (quoteSeen) {
          quoteSeen = false;
          if (chunk.charCodeAt(i) === QUOTE) {
            field += '"';
            i++;
            continue;
          }
          inQuotes = false;
          closed = true; // fall through: this is the character after the closing quote
        } else {
          // Up to the next quote (or the chunk's end) is the field's text, newlines included.
          const q = chunk.indexOf('"', i);
          const end = q < 0 ? n : q;
          for (let k = chunk.indexOf('\n', i); k >= 0 && k < end; k = chunk.indexOf('\n', k + 1)) line++;
          if (end > i) field += chunk.slice(i, end);
          if (q >= 0) quoteSeen = true;
          i = end + 1;
          continue;
        }
      }
      const c = chunk.charCodeAt(i);
      if (c === COMMA) {
        endField();
        started = true;
        i++;
      } else if (c === LF) {
        endField();
        if (started || fields.length > 1 || fields[0] !== '') yield { line: recordLine, fields };
        fields = [];
        started = false;
        line++;
        recordLine = line;
        i++;
      } else if (c === CR) {
        i++;
      } else if (closed) {
        throw new CsvSyntaxError(line, 'text after a closing quote');
      } else if (c === QUOTE) {
        if (field.length > 0) throw new CsvSyntaxError(line, 'a quote inside an unquoted field');
        inQuotes = true;
        started = true;
        i++;
      } else {
        // Plain text up to the next comma, line end or quote.
        let j = i + 1;
        for (; j < n; j++) {
          const d = chunk.charCodeAt(j);
          if (d === COMMA || d === LF || d === CR || d === QUOTE) break;
        }
        field += chunk.slice(i, j);
        started = true;
        i = j;
      }
    }
  }
  if (inQuotes && !quoteSeen) throw new CsvSyntaxError(recordLine, 'a quoted field is not closed');
  if (started || field !== '' || fields.length > 0) {
    endField();
    yield { line: recordLine, fields };
  }
}

/** Text chunks of a UTF-8 file. */
export async function* fileChunks(path: string): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const buf of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) yield decoder.write(buf);
  const rest = decoder.end();
  if (rest) yield rest;
}
