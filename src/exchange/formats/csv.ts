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

/** Parses CSV text chunks into records (chunks may split a record anywhere). */
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
    fields.push(field);
    field = '';
    closed = false;
  };
  for await (let chunk of chunks) {
    if (first) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    const out: CsvRecord[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (inQuotes) {
        if (quoteSeen) {
          quoteSeen = false;
          if (c === '"') {
            field += '"';
            continue;
          }
          inQuotes = false;
          closed = true; // fall through: c is the character after the closing quote
        } else if (c === '"') {
          quoteSeen = true;
          continue;
        } else {
          if (c === '\n') line++;
          field += c;
          continue;
        }
      }
      if (c === ',') {
        endField();
        started = true;
      } else if (c === '\n') {
        endField();
        if (started || fields.length > 1 || fields[0] !== '') out.push({ line: recordLine, fields });
        fields = [];
        started = false;
        line++;
        recordLine = line;
      } else if (c === '\r') {
        continue;
      } else if (closed) {
        throw new CsvSyntaxError(line, 'text after a closing quote');
      } else if (c === '"') {
        if (field.length > 0) throw new CsvSyntaxError(line, 'a quote inside an unquoted field');
        inQuotes = true;
        started = true;
      } else {
        field += c;
        started = true;
      }
    }
    yield* out;
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
