/** Language codes as messages and help entries use them: "en", "fil", "pt-BR", "sr-Latn". */
import { AllianceError } from '../errors/catalogue.js';

const CODE = /^([a-z]{2,3})(?:-([a-z]{2}|[a-z]{4}))?$/i;

/** The canonical form of a language code (lower-case language, upper-case region, title-case script), or undefined. */
export function canonicalLanguage(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = CODE.exec(value.trim());
  if (!m) return undefined;
  const lang = m[1].toLowerCase();
  if (!m[2]) return lang;
  const sub = m[2].length === 2 ? m[2].toUpperCase() : m[2][0].toUpperCase() + m[2].slice(1).toLowerCase();
  return `${lang}-${sub}`;
}

/**
 * A language as a browser may send it ("es-419", "en_US", "zh-Hant-TW", "fr-be"), reduced to a
 * code messages use: the language with a region or script when one is well formed; undefined when
 * there is no language subtag at all.
 */
export function looseLanguage(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const parts = value.trim().split(/[-_]/);
  if (!/^[a-z]{2,3}$/i.test(parts[0] ?? '')) return undefined;
  const lang = parts[0].toLowerCase();
  const region = parts.slice(1).find((p) => /^([a-z]{2}|\d{3})$/i.test(p));
  if (region) return /^\d{3}$/.test(region) ? `${lang}-${region}` : `${lang}-${region.toUpperCase()}`;
  const script = parts.slice(1).find((p) => /^[a-z]{4}$/i.test(p));
  return script ? canonicalLanguage(`${lang}-${script}`) : lang;
}

/** A language code or a clear error naming the field. */
export function requireLanguage(field: string, value: unknown, code: 'MESSAGE_INVALID' | 'CHECK_INVALID' | 'HELP_ENTRY_INVALID'): string {
  const lang = canonicalLanguage(value);
  if (!lang) throw new AllianceError(code, `${field}: a language code such as "en", "fr", "pt-BR" (got "${String(value).slice(0, 20)}")`);
  return lang;
}

/** The codes to try for a request, most specific first: "pt-BR" → ["pt-BR", "pt"]. */
export function languageChain(lang: string): string[] {
  const primary = lang.split('-')[0];
  return primary === lang ? [lang] : [lang, primary];
}
