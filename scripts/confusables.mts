/**
 * Generates src/signals/keyword/lookalikes.ts: the Latin letters that the keyword reduction
 * (src/signals/keyword/skeleton.ts) reads other scripts' look-alike letters and Latin letter forms
 * as. From Unicode's data, version 17.0.0 (the Unicode version of Node 20.20's ICU, whose NFKD the
 * reduction runs first):
 *   - confusables.txt of UTS #39, Unicode Security Mechanisms:
 *     https://www.unicode.org/Public/security/17.0.0/confusables.txt
 *   - UnicodeData.txt, for character names (and bidi classes, to escape right-to-left characters):
 *     https://www.unicode.org/Public/17.0.0/ucd/UnicodeData.txt
 * Usage: npm run data:lookalikes [-- --confusables FILE|URL] [--names FILE|URL]
 * (a path is read, a URL downloaded; the defaults are the URLs above). The output names each input's
 * SHA-256; the same inputs give the same file, byte for byte.
 *
 * The rules (the generated file's header says them too):
 * The reduction decomposes text (NFKD), drops marks and format characters, lowers case, then looks
 * each character up here: so keys are characters as they are then — lower case, NFKD-stable, not
 * marks, not ASCII (ASCII has its own rules in skeleton.ts: leetspeak, l read as i).
 * A character's reading is
 *   1. one of SUPPLEMENT below (a few letters the earlier hand-written table read, which
 *      confusables.txt files under a non-Latin prototype or not at all), else
 *   2. its UTS #39 prototype (the character itself when confusables.txt does not map it),
 *      decomposed and without marks as the reduction sees text ("n̩" is n), each character of it
 *      read as: an ASCII letter, lower case ("rn", UTS #39's way of writing m, is m); an ASCII
 *      digit through leetspeak as skeleton.ts reads digits (0 o, 1 i, 3 e…; a prototype 2 or 6 has
 *      no reading); a Latin letter form by its name — LATIN SMALL/CAPITAL LETTER X [WITH …], LATIN
 *      LETTER SMALL CAPITAL X, MODIFIER LETTER SMALL/CAPITAL X [WITH …], LATIN SMALL LETTER DOTLESS
 *      X, [NEGATIVE] SQUARED/CIRCLED LATIN CAPITAL LETTER X — as x; else as the one letter that the
 *      names of its confusable class (the prototype and all mapped to it) give, if exactly one
 *      (ʍ's class holds ᴍ LATIN LETTER SMALL CAPITAL M, so Cyrillic м reads m); anything else
 *      (a letter of no Latin look, punctuation) gives the character no reading, else
 *   3. for a lower-case letter with no reading of its own, its capital's (so capitals, lowered
 *      first, still read: Greek Μ lowers to μ, which reads m as Μ does).
 * Only readings of Latin letters a–z are kept. Letters (general category L, and symbols named as
 * Latin letters: 🅼 NEGATIVE SQUARED LATIN CAPITAL LETTER M) read always; other characters (symbols,
 * punctuation, other scripts' digits) only between two letters, as skeleton.ts reads ! | @ $ + — so
 * "×" in "2×3" or a Bengali numeral stays what it was.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEET_DIGITS } from '../src/signals/keyword/leet.js';

const VERSION = '17.0.0';
const CONFUSABLES_URL = `https://www.unicode.org/Public/security/${VERSION}/confusables.txt`;
const NAMES_URL = `https://www.unicode.org/Public/${VERSION}/ucd/UnicodeData.txt`;
const OUT = join(import.meta.dirname, '..', 'src', 'signals', 'keyword', 'lookalikes.ts');

/**
 * Readings the data does not give: letters the earlier hand-written table read, used as look-alikes
 * in evasions, that confusables.txt maps to a non-Latin prototype (or not at all) — kept so no
 * evasion matched before is missed now — and ɛ, which shares ε's prototype and so its reading.
 */
const SUPPLEMENT: Record<string, { reading: string; why: string }> = {
  ß: { reading: 'ss', why: 'sharp s is written ss (its full case folding); confusables.txt maps it to nothing' },
  β: { reading: 'b', why: 'Greek beta for b; confusables.txt files it under ß' },
  ε: { reading: 'e', why: 'Greek epsilon for e; confusables.txt files it under ꞓ (c with bar)' },
  ɛ: { reading: 'e', why: 'Latin open e, with ε under ꞓ in confusables.txt: read as ε is' },
  ζ: { reading: 'z', why: 'Greek zeta for z; not in confusables.txt' },
  ω: { reading: 'w', why: 'Greek omega for w; not in confusables.txt' },
};

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

async function load(source: string): Promise<{ text: string; sha256: string; source: string }> {
  let text: string;
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source);
    if (!res.ok) throw new Error(`${source}: HTTP ${res.status}`);
    text = await res.text();
  } else text = readFileSync(source, 'utf8');
  return { text, sha256: createHash('sha256').update(text).digest('hex'), source };
}

const confusablesFile = await load(flag('--confusables') ?? CONFUSABLES_URL);
const namesFile = await load(flag('--names') ?? NAMES_URL);
const stated = /^#\s*Version:\s*(\S+)/m.exec(confusablesFile.text)?.[1];
if (stated !== VERSION) throw new Error(`confusables.txt is version ${stated}, this script reads ${VERSION}`);
const dated = /^#\s*Date:\s*(.+)$/m.exec(confusablesFile.text)?.[1]?.trim();

// Keys are decomposed by this Node's NFKD, as the reduction decomposes text at run time.
if (!VERSION.startsWith(`${process.versions.unicode}.`))
  console.warn(`this Node's Unicode is ${process.versions.unicode}, the data ${VERSION}: keys are decomposed by this Node's NFKD`);

const chr = (hex: string) => String.fromCodePoint(parseInt(hex, 16));

/** Name and bidi class per character (UnicodeData.txt; ranges such as CJK ideographs have no Latin reading and are left out). */
const names = new Map<string, { name: string; bidi: string }>();
for (const line of namesFile.text.split('\n')) {
  const f = line.split(';');
  if (f.length < 3 || f[1].startsWith('<')) continue;
  names.set(chr(f[0]), { name: f[1], bidi: f[4] });
}

/** UTS #39: source → prototype. */
const prototypeOf = new Map<string, string>();
/** Prototype → the characters mapped to it. */
const classOf = new Map<string, string[]>();
for (const line of confusablesFile.text.replace(/^\ufeff/, '').split('\n')) {
  const data = line.split('#')[0].trim();
  if (!data) continue;
  const [source, target] = data.split(';').map((f) => f.trim());
  const proto = target.split(/\s+/).map(chr).join('');
  prototypeOf.set(chr(source), proto);
  classOf.set(proto, [...(classOf.get(proto) ?? []), chr(source)]);
}

const MARK = /\p{M}/u;
const FORMAT = /\p{Cf}/u;
const LETTER = /\p{L}/u;
/** As the reduction sees text: decomposed, no marks or format characters. */
const plain = (s: string) => [...s.normalize('NFKD')].filter((c) => !MARK.test(c) && !FORMAT.test(c));

const LETTER_FORMS = [
  /^LATIN (?:SMALL|CAPITAL) LETTER ([A-Z])(?: WITH .+)?$/,
  /^LATIN LETTER SMALL CAPITAL ([A-Z])$/,
  /^MODIFIER LETTER (?:SMALL|CAPITAL) ([A-Z])(?: WITH .+)?$/,
  /^LATIN SMALL LETTER DOTLESS ([A-Z])$/,
  /^(?:NEGATIVE )?(?:SQUARED|CIRCLED) LATIN CAPITAL LETTER ([A-Z])$/,
];
/** The letter a Latin letter form's name says it is. */
function byName(c: string): string | undefined {
  const name = names.get(c)?.name;
  if (!name) return undefined;
  for (const form of LETTER_FORMS) {
    const m = form.exec(name);
    if (m) return m[1].toLowerCase();
  }
  return undefined;
}

/** The one letter the names in a prototype's confusable class give, if exactly one. */
function byClass(proto: string): string | undefined {
  const letters = new Set([proto, ...(classOf.get(proto) ?? [])].map(byName).filter((l) => l !== undefined));
  return letters.size === 1 ? [...letters][0] : undefined;
}

/** What one character of a prototype reads as (undefined: no Latin reading). */
function readPrototypeChar(c: string): string | undefined {
  if (c.charCodeAt(0) < 128) {
    if (c >= '0' && c <= '9') return LEET_DIGITS[c];
    const lower = c.toLowerCase();
    return lower >= 'a' && lower <= 'z' ? lower : undefined;
  }
  return byName(c) ?? byClass(c);
}

/** A character's own reading: rule 1 or 2. */
function ownReading(c: string): { reading: string; how: string } | undefined {
  const extra = SUPPLEMENT[c];
  if (extra) return { reading: extra.reading, how: 'supplement' };
  const proto = plain(prototypeOf.get(c) ?? c);
  if (proto.length === 0) return undefined;
  if (proto.join('') === 'rn' && prototypeOf.has(c)) return { reading: 'm', how: 'confusables' };
  const parts = proto.map(readPrototypeChar);
  if (parts.some((p) => p === undefined)) return undefined;
  return { reading: parts.join(''), how: prototypeOf.has(c) ? 'confusables' : 'name' };
}

// The keys: every character the reduction can look up (decomposed, unmarked, lowered), not ASCII.
const keys = new Set<string>();
/** Lower-case key → the capitals (decomposition-stable) that lower to it. */
const capitals = new Map<string, string[]>();
for (const c of [...names.keys(), ...prototypeOf.keys()]) {
  for (const d of plain(c)) {
    const k = d.toLowerCase();
    if ([...k].length !== 1 || k.charCodeAt(0) < 128) continue;
    keys.add(k);
    if (d !== k) capitals.set(k, [...new Set([...(capitals.get(k) ?? []), d])]);
  }
}

const letters = new Map<string, string[]>(); // reading → characters
const symbols = new Map<string, string[]>();
const counts = { confusables: 0, name: 0, supplement: 0, capital: 0 };
for (const k of [...keys].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!)) {
  let r = ownReading(k);
  if (!r) {
    const fromCapitals = new Set((capitals.get(k) ?? []).map((u) => ownReading(u)?.reading));
    if (fromCapitals.size === 1 && !fromCapitals.has(undefined)) r = { reading: [...fromCapitals][0]!, how: 'capital' };
  }
  if (!r || !/^[a-z]+$/.test(r.reading)) continue;
  counts[r.how as keyof typeof counts]++;
  const into = LETTER.test(k) || byName(k) ? letters : symbols; // 🅼 is a symbol named a letter: read always
  into.set(r.reading, [...(into.get(r.reading) ?? []), k]);
}

/** A string literal: right-to-left characters (by their bidi class), and any not shown alone (spaces, combining), escaped. */
function literal(chars: string[]): string {
  const shown = /^[\p{L}\p{N}\p{S}\p{P}]$/u;
  const escape = (c: string) => c === "'" || c === '\\' || !shown.test(c) || ['R', 'AL'].includes(names.get(c)?.bidi ?? 'R');
  return `'${chars.map((c) => (escape(c) ? `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}` : c)).join('')}'`;
}
const entries = (m: Map<string, string[]>) =>
  [...m.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([reading, chars]) => `  ${/^[a-z]+$/.test(reading) ? reading : `'${reading}'`}: ${literal(chars)},`)
    .join('\n');
const total = (m: Map<string, string[]>) => [...m.values()].reduce((n, cs) => n + cs.length, 0);
const describe = (f: { sha256: string; source: string }) =>
  `${/^https?:/.test(f.source) ? 'that address' : `a copy, ${f.source.split('/').pop()}`}, SHA-256 ${f.sha256}`;

const tables = `export const LETTERS: Readonly<Record<string, string>> = {
${entries(letters)}
};`;
const symbolTable = `export const SYMBOLS: Readonly<Record<string, string>> = {
${entries(symbols)}
};`;
/** Names the tables' content, so index snapshots of skeletons made with other tables are rebuilt (skeleton.ts REDUCTION). */
const digest = createHash('sha256').update(`${tables}\n${symbolTable}`).digest('hex').slice(0, 16);

const out = `// Generated by scripts/confusables.mts (npm run data:lookalikes) from Unicode ${VERSION} data: do not edit.
/**
 * Look-alike letters for the keyword reduction (skeleton.ts), grouped by the Latin letters they read as.
 *
 * Source, Unicode ${VERSION}:
 *   UTS #39 confusables.txt (Unicode Security Mechanisms; its header: Version ${stated}, Date ${dated})
 *     ${CONFUSABLES_URL}
 *     read from ${describe(confusablesFile)}
 *   UnicodeData.txt (character names)
 *     ${NAMES_URL}
 *     read from ${describe(namesFile)}
 *
 * What is here, and why only this: the characters that read as Latin letters a–z, as the reduction
 * sees them — after NFKD (which already makes full-width, mathematical, circled, parenthesised,
 * superscript and most modifier letters plain, so they are not keys), without marks, lower case, not
 * ASCII (skeleton.ts reads ASCII itself). A listed term and a searched text are reduced alike, so
 * only a reading to a–z can make a look-alike meet the letter it imitates; a mapping between two
 * non-Latin characters would only fold genuine text of those scripts together, and is left out.
 * A character's reading:
 *   - its UTS #39 prototype (itself when confusables.txt does not map it), without marks ("n̩" is n),
 *     each character of that read as an ASCII letter (m for UTS #39's "rn"), a digit as skeleton.ts
 *     reads digits (0 o, 1 i, 3 e…; a prototype 2 or 6 gives no reading), or a Latin letter form by
 *     its name (LATIN LETTER SMALL CAPITAL X, LATIN SMALL LETTER X WITH STROKE, DOTLESS X, SQUARED X…)
 *     or by the one letter that the names of its confusable class give (Cyrillic м's prototype ʍ is
 *     in a class with ᴍ LATIN LETTER SMALL CAPITAL M, so м reads m);
 *   - for a lower-case letter with none of its own, its capital's (text is lowered before it is looked
 *     up, so Greek Μ, lowered to μ, reads m as Μ itself would);
 *   - and these ${Object.keys(SUPPLEMENT).length}, read as the earlier hand-written table read them (ɛ with ε), which the data maps elsewhere:
${Object.entries(SUPPLEMENT)
  .map(([c, x]) => ` *       ${c} → ${x.reading}: ${x.why}`)
  .join('\n')}
 * Letters whose prototype is not Latin (Greek π, λ; Cyrillic д, и, л, я; most Armenian letters…) have no
 * reading and stay letters of their own, so genuine words of those scripts stay distinct from Latin
 * ones. Letters (and symbols named as Latin letters, 🅼) read so wherever they are: LETTERS; other
 * symbols, punctuation and other scripts' digits read so only between two letters, as ! | @ $ + do:
 * SYMBOLS ("×" in "2×3" and a Bengali numeral stay separators).
 * ${total(letters) + total(symbols)} characters: ${total(letters)} in LETTERS, ${total(symbols)} in SYMBOLS; by confusables.txt ${counts.confusables}, by name ${counts.name}, by their capital ${counts.capital}, supplemented ${counts.supplement}.
 */

/** The first 16 hex digits of the SHA-256 of the two tables below (skeleton.ts names its reduction by it). */
export const DIGEST = '${digest}';

/** Letters of other scripts and Latin letter forms: read as these Latin letters wherever they are. */
${tables}

/** Symbols, punctuation and other scripts' digits that look like letters: read so only between two letters. */
${symbolTable}
`;
writeFileSync(OUT, out);
console.log(`wrote ${OUT}: ${total(letters)} letters, ${total(symbols)} other characters (${JSON.stringify(counts)})`);
