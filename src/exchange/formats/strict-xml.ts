/**
 * A strict XML reader for remote answers (NCMEC pages and their small documents): one pass that
 * both refuses what is not well-formed XML 1.0 and builds the document, instead of a validator
 * pass and then a parser pass over the same text (a 1,000,000-entry fetch parsed every page twice).
 *
 * Refused, with line and column: a DOCTYPE or any other `<!` declaration (no external entities,
 * no entity expansion), entity references other than the five predefined ones and character
 * references, a bare `&`, control characters, unmatched or unclosed tags, unquoted or repeated
 * attributes, `<` in an attribute value, text or a second element outside the root, an XML
 * declaration anywhere but at the start, `--` inside a comment, and nesting deeper than
 * `maxDepth` (an explicit stack: a hostile depth cannot overflow ours).
 *
 * The result has the shape fast-xml-parser gives with `ignoreAttributes: false,
 * attributeNamePrefix: '@', textNodeName: '#text', parseTagValue: false, removeNSPrefix: true,
 * processEntities: true` (what the NCMEC code and the metadata it keeps were written against):
 * an element with neither attributes nor child elements is its trimmed text; otherwise an
 * object of `@attribute`s, children by local name (an array when repeated or when `isArray`
 * says so) and `#text` when it has text. `xmlns` attributes are dropped.
 */

export class XmlError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}

export interface StrictXmlOptions {
  /** Element names (local) that are always arrays, even when they occur once. */
  isArray?: (name: string) => boolean;
  /** Deepest element nesting accepted (default 64). */
  maxDepth?: number;
}

type Obj = Record<string, unknown>;

interface Frame {
  name: string;
  local: string;
  /** Children; null while it has none. */
  obj: Obj | null;
  /** Attributes (after the children in the result, as fast-xml-parser orders them); null while it has none. */
  attrs: Obj | null;
  text: string;
}

const NAME = /[A-Za-z_:\u00C0-\uFFFF][A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]*/y;
const WS = /[ \t\r\n]*/y;
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

const localOf = (name: string) => {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
};

function put(obj: Obj, key: string, value: unknown, array: boolean): void {
  if (Object.hasOwn(obj, key)) {
    const had = obj[key];
    if (Array.isArray(had)) had.push(value);
    else obj[key] = [had, value];
  } else if (key === '__proto__') Object.defineProperty(obj, key, { value: array ? [value] : value, enumerable: true, writable: true, configurable: true });
  else obj[key] = array ? [value] : value;
}

/** Parses `text` strictly (see the module comment); throws XmlError. */
export function parseStrictXml(text: string, opts: StrictXmlOptions = {}): Obj {
  const isArray = opts.isArray ?? (() => false);
  const maxDepth = opts.maxDepth ?? 64;
  const fail = (at: number, reason: string): never => {
    let line = 1;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    throw new XmlError(line, at - lineStart + 1, reason);
  };
  const control = CONTROL.exec(text);
  if (control) fail(control.index, `control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()} is not allowed`);

  const decode = (s: string, at: number): string => {
    if (s.indexOf('&') < 0) return s;
    let out = '';
    let from = 0;
    for (let amp = s.indexOf('&'); amp !== -1; amp = s.indexOf('&', from)) {
      const semi = s.indexOf(';', amp);
      const ref = semi < 0 || semi - amp > 12 ? null : s.slice(amp + 1, semi);
      let ch: string | undefined;
      if (ref !== null && ref.startsWith('#')) {
        const code = /^#x[0-9a-fA-F]{1,6}$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]{1,7}$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
        const ok =
          code === 0x9 ||
          code === 0xa ||
          code === 0xd ||
          (code >= 0x20 && code <= 0xd7ff) ||
          (code >= 0xe000 && code <= 0xfffd) ||
          (code >= 0x10000 && code <= 0x10ffff);
        if (ok) ch = String.fromCodePoint(code);
        else fail(at + amp, `&${ref}; is not a character XML allows`);
      } else if (ref !== null) ch = PREDEFINED[ref];
      if (ch === undefined)
        fail(at + amp, ref === null ? 'a bare "&" (write &amp;)' : `unknown entity &${ref.slice(0, 20)}; (only the five predefined ones are allowed)`);
      out += s.slice(from, amp) + ch;
      from = semi + 1;
    }
    return out + s.slice(from);
  };
  const nameAt = (at: number, what: string): string => {
    NAME.lastIndex = at;
    const m = NAME.exec(text);
    if (!m) fail(at, `${what} expected`);
    return m![0];
  };
  const skipWs = (at: number): number => {
    WS.lastIndex = at;
    WS.test(text);
    return WS.lastIndex;
  };

  const stack: Frame[] = [];
  const doc: Obj = {};
  let rootSeen = false;
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let i = start;

  const close = (f: Frame) => {
    const t = f.text.trim();
    let value: unknown;
    if (f.obj === null && f.attrs === null) value = t;
    else {
      const o = f.obj ?? {};
      if (t !== '') o['#text'] = t;
      if (f.attrs) for (const k in f.attrs) put(o, k, f.attrs[k], false);
      value = o;
    }
    const parent = stack.length ? stack[stack.length - 1] : null;
    if (parent) put((parent.obj ??= {}), f.local, value, isArray(f.local));
    else put(doc, f.local, value, false);
  };

  while (i < n) {
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    if (end > i) {
      const ws = skipWs(i) >= end;
      if (stack.length === 0) {
        if (!ws) fail(skipWs(i), 'text outside the root element');
      } else if (!ws || stack[stack.length - 1].text !== '') {
        const raw = text.slice(i, end);
        const cdataEnd = raw.indexOf(']]>');
        if (cdataEnd >= 0) fail(i + cdataEnd, '"]]>" is not allowed in text');
        stack[stack.length - 1].text += decode(raw, i);
      }
    }
    if (lt < 0) break;
    const c = text.charCodeAt(lt + 1);
    if (c === 0x2f /* / */) {
      const name = nameAt(lt + 2, 'a tag name after "</"');
      const gt = skipWs(lt + 2 + name.length);
      if (text.charCodeAt(gt) !== 0x3e) fail(gt, `">" expected to end </${name}`);
      const top = stack.pop();
      if (!top) fail(lt, `closing tag </${name}> without an opening tag`);
      if (top!.name !== name) fail(lt, `closing tag </${name}> does not match <${top!.name}>`);
      close(top!);
      i = gt + 1;
    } else if (c === 0x21 /* ! */) {
      if (text.startsWith('<!--', lt)) {
        const e = text.indexOf('-->', lt + 4);
        if (e < 0) fail(lt, 'unclosed comment');
        const dashes = text.indexOf('--', lt + 4);
        if (dashes < e) fail(dashes, '"--" inside a comment');
        i = e + 3;
      } else if (text.startsWith('<![CDATA[', lt)) {
        if (stack.length === 0) fail(lt, 'CDATA outside the root element');
        const e = text.indexOf(']]>', lt + 9);
        if (e < 0) fail(lt, 'unclosed CDATA section');
        stack[stack.length - 1].text += text.slice(lt + 9, e);
        i = e + 3;
      } else {
        const word = /^<!([A-Za-z]*)/.exec(text.slice(lt, lt + 20))![1];
        fail(lt, `<!${word} is not allowed (external entities and entity expansion are refused)`);
      }
    } else if (c === 0x3f /* ? */) {
      const target = nameAt(lt + 2, 'a processing instruction target');
      const e = text.indexOf('?>', lt + 2);
      if (e < 0) fail(lt, `unclosed <?${target}`);
      if (target.toLowerCase() === 'xml' && lt !== start) fail(lt, 'the XML declaration is allowed only at the very start');
      i = e + 2;
    } else {
      const name = nameAt(lt + 1, 'a tag name after "<"');
      if (stack.length === 0 && rootSeen) fail(lt, `a second root element <${name}>`);
      if (stack.length >= maxDepth) fail(lt, `elements nested deeper than ${maxDepth}`);
      rootSeen = true;
      const frame: Frame = { name, local: localOf(name), obj: null, attrs: null, text: '' };
      let p = lt + 1 + name.length;
      let selfClosing = false;
      const seen = new Set<string>();
      for (;;) {
        const q = skipWs(p);
        const ch = text.charCodeAt(q);
        if (ch === 0x3e) {
          i = q + 1;
          break;
        }
        if (ch === 0x2f && text.charCodeAt(q + 1) === 0x3e) {
          selfClosing = true;
          i = q + 2;
          break;
        }
        if (q >= n) fail(lt, `unclosed tag <${name}`);
        if (q === p) fail(q, `whitespace expected before an attribute in <${name}>`);
        const attr = nameAt(q, `an attribute name or ">" in <${name}>`);
        if (seen.has(attr)) fail(q, `attribute ${attr} repeated in <${name}>`);
        seen.add(attr);
        const eq = skipWs(q + attr.length);
        if (text.charCodeAt(eq) !== 0x3d) fail(eq, `"=" expected after attribute ${attr}`);
        const open = skipWs(eq + 1);
        const quote = text[open];
        if (quote !== '"' && quote !== "'") fail(open, `the value of attribute ${attr} must be quoted`);
        const shut = text.indexOf(quote, open + 1);
        if (shut < 0) fail(open, `unclosed value of attribute ${attr}`);
        const raw = text.slice(open + 1, shut);
        const bad = raw.indexOf('<');
        if (bad >= 0) fail(open + 1 + bad, `"<" in the value of attribute ${attr}`);
        const value = decode(raw, open + 1);
        if (attr !== 'xmlns' && !attr.startsWith('xmlns:')) put((frame.attrs ??= {}), `@${localOf(attr)}`, value, false);
        p = shut + 1;
      }
      if (selfClosing) close(frame);
      else stack.push(frame);
    }
  }
  if (stack.length) fail(n, `<${stack[stack.length - 1].name}> is not closed`);
  if (!rootSeen) fail(n, 'no root element');
  return doc;
}
