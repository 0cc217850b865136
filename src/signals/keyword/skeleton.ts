/**
 * The evasion-resistant form of text that keyword signals match on. Both a listed term and the
 * text searched are reduced the same way:
 *   - compatibility decomposition (full-width and mathematical letters become plain ones) and no
 *     diacritics; lower case;
 *   - look-alike letters of other scripts (Cyrillic а, Greek ο…) become the Latin letter;
 *   - leetspeak: 0→o, 1→i, 3→e, 4→a, 5→s, 7→t, 8→b, 9→g, and between two letters ! |→i, @→a,
 *     $→s, +→t (elsewhere they are punctuation: "term!!!", "@name"); l→i, since 1 and | stand for either;
 *   - runs of one letter become one letter ("forrrbidden" = "forbiden");
 *   - everything else — spaces, punctuation, emoji, symbols, other digits — separates, and
 *     invisible format characters (zero-width spaces and joiners) vanish.
 * A term matches text where its skeleton occurs between two separators (or the text's ends), so
 * separators inserted inside a term do not hide it, while a term inside a longer word does not match.
 */

const CONFUSABLES: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', і: 'i', ї: 'i', ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', ѵ: 'v', һ: 'h', ӏ: 'i',
  // Greek
  α: 'a', β: 'b', γ: 'y', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w', ζ: 'z',
  // Latin look-alikes
  ı: 'i', ɡ: 'g', ɑ: 'a', ß: 'ss', ø: 'o', đ: 'd', ħ: 'h', ł: 'i', œ: 'oe', æ: 'ae', þ: 'p',
};
const LEET_DIGITS: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g' };
/** Symbols that stand for letters only inside a word. */
const LEET_SYMBOLS: Record<string, string> = { '!': 'i', '|': 'i', '@': 'a', $: 's', '+': 't' };

export interface Skeleton {
  /** The reduced letters. */
  text: string;
  /** Per letter: whether a separator (or the start) comes before it. */
  starts: boolean[];
  /** Per letter: whether a separator (or the end) comes after it. */
  ends: boolean[];
}

/** Characters of decomposed text looked at (a query is at most 2,000 characters before). */
const MAX_DECOMPOSED = 8000;
const MARK = /\p{M}/u;
const FORMAT = /\p{Cf}/u;
const LETTER = /\p{L}/u;

const ASCII = /^[\x00-\x7f]*$/;
/** One character (or a confusable's replacement) is a letter: a–z at once, others by Unicode class. */
const isLetterChar = (c: string) => (c.length === 1 && c.charCodeAt(0) < 128 ? c >= 'a' && c <= 'z' : LETTER.test(c));

/** The lower-cased characters with diacritics, format characters, look-alikes and leet digits resolved. */
function plainChars(input: string): string[] {
  if (ASCII.test(input)) {
    // Plain ASCII (most queries): decomposition, marks and look-alikes cannot occur.
    const lower = input.length > MAX_DECOMPOSED ? input.slice(0, MAX_DECOMPOSED).toLowerCase() : input.toLowerCase();
    const out = new Array<string>(lower.length);
    for (let i = 0; i < lower.length; i++) out[i] = LEET_DIGITS[lower[i]] ?? lower[i];
    return out;
  }
  // Compatibility decomposition can multiply the length (one ligature is 18 letters): bounded.
  const chars = [...input.normalize('NFKD')].slice(0, MAX_DECOMPOSED).filter((c) => !MARK.test(c) && !FORMAT.test(c)).map((c) => c.toLowerCase());
  return chars.map((c) => CONFUSABLES[c] ?? LEET_DIGITS[c] ?? c);
}

/** Reduces text to its skeleton. */
export function skeleton(input: string): Skeleton {
  const letters: string[] = [];
  const starts: boolean[] = [];
  const ends: boolean[] = [];
  let separated = true;
  const plain = plainChars(input);
  const isLetter = (i: number) => i >= 0 && i < plain.length && isLetterChar(plain[i]);
  for (let i = 0; i < plain.length; i++) {
    const symbol = LEET_SYMBOLS[plain[i]];
    const mapped = symbol && isLetter(i - 1) && isLetter(i + 1) ? symbol : plain[i];
    if (!isLetterChar(mapped)) {
      if (letters.length) ends[ends.length - 1] = true;
      separated = true;
      continue;
    }
    for (const ch of mapped === 'l' ? 'i' : mapped) {
      if (letters.length && letters[letters.length - 1] === ch) {
        // A run continues, across separators too ("forbidden tterm"); after a separator the letter
        // also starts a word, and the word before still ends there ("hot teen": hot + teen).
        if (separated) starts[starts.length - 1] = true;
        else ends[ends.length - 1] = false;
        separated = false;
        continue;
      }
      letters.push(ch);
      starts.push(separated);
      ends.push(false);
      separated = false;
    }
  }
  if (letters.length) ends[ends.length - 1] = true;
  return { text: letters.join(''), starts, ends };
}

/** Every stretch of the skeleton that begins and ends at a separator, up to `maxLength` letters. */
export function candidates(s: Skeleton, maxLength: number): string[] {
  const ends: number[] = [];
  for (let j = 0; j < s.ends.length; j++) if (s.ends[j]) ends.push(j);
  const out: string[] = [];
  let first = 0; // the first end at or after the start: ends before it are never read again
  for (let i = 0; i < s.starts.length; i++) {
    if (!s.starts[i]) continue;
    while (first < ends.length && ends[first] < i) first++;
    for (let k = first; k < ends.length && ends[k] - i + 1 <= maxLength; k++) out.push(s.text.slice(i, ends[k] + 1));
  }
  return out;
}
