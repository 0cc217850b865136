/**
 * Streaming reader for large JSON documents of the form `{ …, "<key>": [ item, item, … ], … }`:
 * yields the text of each item of the top-level array `key` with the line it starts on, never
 * holding more than one item in memory. The document text before the array is handed to
 * `onHead` when the array opens; the rest of the document (with that array emptied) is parsed at
 * the end and handed to `onRest`. Malformed or truncated input throws with its line.
 */
export interface JsonItem {
  line: number;
  text: string;
}

export interface JsonItemsOptions {
  /** The document text up to and including the array's `[`. */
  onHead?: (head: string) => void;
  /** Every member of the top-level object, with the array replaced by []. */
  onRest?: (rest: Record<string, unknown>) => void;
}

export class JsonStreamError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const NL = 10;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_OBJ = 123;
const CLOSE_OBJ = 125;
const OPEN_ARR = 91;
const CLOSE_ARR = 93;
/** A quote or a backslash: what can end or escape inside a string. */
const SPECIAL = /["\\]/g;
const isWs = (c: number) => c === 32 || c === 9 || c === 13 || c === NL;

export async function* jsonArrayItems(chunks: AsyncIterable<string>, key: string, opts: JsonItemsOptions = {}): AsyncGenerator<JsonItem> {
  const keyPattern = new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*\\[$`);
  let outer = '';
  /** Text of the current item from earlier chunks. */
  let pending = '';
  let itemLine = 0;
  let inItem = false;
  let inArray = false;
  let depth = 0;
  let inString = false;
  let escape = false;
  let line = 1;
  let started = false;
  let ended = false;
  for await (const chunk of chunks) {
    /** Where the current item starts in this chunk (0 when it began in an earlier one). */
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === NL) line++;
      if (inString) {
        if (escape) escape = false;
        else if (c === BACKSLASH) escape = true;
        else if (c === QUOTE) inString = false;
        else if (inArray) {
          // Jump to the next quote or backslash (most of a document is inside strings).
          SPECIAL.lastIndex = i + 1;
          const m = SPECIAL.exec(chunk);
          const next = m ? m.index : chunk.length;
          for (let j = chunk.indexOf('\n', i + 1); j !== -1 && j < next; j = chunk.indexOf('\n', j + 1)) line++;
          i = next - 1;
          continue;
        }
        if (!inArray) outer += chunk[i];
        continue;
      }
      if (!started) {
        if (isWs(c) || c === 0xfeff) continue;
        if (c !== OPEN_OBJ) throw new JsonStreamError(line, 'the document must be a JSON object');
        started = true;
      }
      if (inArray) {
        if (!inItem) {
          if (isWs(c)) continue;
          if (c === CLOSE_ARR && depth === 2) {
            if (itemLine !== 0) throw new JsonStreamError(line, `a trailing comma in the "${key}" array`);
            inArray = false;
            depth--;
            outer += ']';
            continue;
          }
          if (c === COMMA) throw new JsonStreamError(line, `an empty item in the "${key}" array`);
          inItem = true;
          itemLine = line;
          from = i;
          pending = '';
        }
        if (c === QUOTE) inString = true;
        else if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
        else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
          if (depth === 2) {
            if (c !== CLOSE_ARR) throw new JsonStreamError(line, `unexpected } in the "${key}" array`);
            yield { line: itemLine, text: (pending + chunk.slice(from, i)).trim() };
            inItem = false;
            itemLine = 0;
            inArray = false;
            depth--;
            outer += ']';
            continue;
          }
          depth--;
        } else if (c === COMMA && depth === 2) {
          yield { line: itemLine, text: (pending + chunk.slice(from, i)).trim() };
          inItem = false;
          // itemLine stays set until the next item starts: "[1,]" is a trailing comma.
          pending = '';
        }
        continue;
      }
      if (ended && !isWs(c)) throw new JsonStreamError(line, 'text after the end of the document');
      outer += chunk[i];
      if (c === QUOTE) inString = true;
      else if (c === OPEN_OBJ || c === OPEN_ARR) {
        depth++;
        if (c === OPEN_ARR && depth === 2 && keyPattern.test(outer)) {
          inArray = true;
          itemLine = 0;
          opts.onHead?.(outer);
        }
      } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        depth--;
        if (depth < 0) throw new JsonStreamError(line, `unbalanced ${chunk[i]}`);
        if (depth === 0) ended = true;
      }
    }
    if (inItem) pending += chunk.slice(from);
  }
  if (!started) throw new JsonStreamError(line, 'the document is empty');
  if (!ended || inString) throw new JsonStreamError(line, 'the document is truncated');
  let rest: unknown;
  try {
    rest = JSON.parse(outer);
  } catch (err) {
    throw new JsonStreamError(line, `the document is not valid JSON (${(err as Error).message})`);
  }
  opts.onRest?.(rest as Record<string, unknown>);
}
