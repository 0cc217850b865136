/**
 * API errors for people: a sentence to read, the field it concerns when the API names one, and
 * the catalogue's code and status kept for a small detail line (ErrorMessage, FieldError).
 *
 * A VALIDATION error names the part of the request and the field (`body/name must match pattern
 * "^[A-Z0-9_]+$"`, from the route's schema, src/api/errors.ts): the field and the schema keyword
 * become a sentence ("The name needs at least 1 character."), or the form's own sentence for that
 * field (`FieldSentences`: "A bank name uses capital letters, …"). Server file paths are never
 * shown (the server redacts them; a path that slips through is cut here too).
 */
import { ApiError } from './api';

export interface Problem {
  /** What failed, from the caller ("The bank was not created"); the sentence follows it. */
  readonly title?: string;
  /** The reason, as a sentence. */
  readonly sentence: string;
  /** The request field the reason concerns, as the API names it (`body/name`, `querystring/page`). */
  readonly field?: string;
  /** The field's name in words ("name"). */
  readonly label?: string;
  /** The catalogue's code (VALIDATION, BANK_EXISTS, …) and the HTTP status, for the detail line. */
  readonly code?: string;
  readonly status?: number;
}

/** A form's own words for its fields: the label, and the sentence to show when the API refuses the field's value. */
export type FieldSentences = Record<string, { label?: string; invalid?: string }>;

/** The problem, or a message string (older callers), as one sentence with its title. */
export function problemText(p: Problem | string): string {
  if (typeof p === 'string') return p;
  return p.title ? `${p.title}: ${lower(p.sentence)}` : p.sentence;
}

const lower = (s: string) => (/^[A-Z][a-z]/.test(s) && !/^[A-Z][a-z]*[A-Z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s);
const sentence = (s: string) => {
  const t = redact(s.trim());
  if (!t) return t;
  const capital = t[0].toUpperCase() + t.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
};

/** Cuts what looks like a file path on the server (/srv/…/x.ts:12:3, file:///…) out of a message. */
export function redact(message: string): string {
  return message.replace(/(?:file:\/\/)?(?:\/[\w.@+-]+){2,}\.(?:[cm]?[jt]s|json|node)(?::\d+){0,2}/g, '(a file on the server)');
}

/** `name` → "name", `contact_point` → "contact point", `signal_type` → "signal type". */
const words = (key: string) =>
  key
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();

/** The sentence for one schema complaint about a field (ajv's message after the field). */
function validationSentence(label: string, complaint: string): string {
  const The = `The ${label}`;
  let m: RegExpExecArray | null;
  if ((m = /^must have required property '([^']+)'/.exec(complaint))) return `The ${words(m[1])} is required.`;
  if ((m = /^must NOT have fewer than (\d+) (characters|items)/.exec(complaint)))
    return m[1] === '1' ? `${The} cannot be empty.` : `${The} needs at least ${m[1]} ${m[2]}.`;
  if ((m = /^must NOT have more than (\d+) (characters|items)/.exec(complaint))) return `${The} can have at most ${Number(m[1]).toLocaleString('en')} ${m[2]}.`;
  if (/^must match pattern/.test(complaint)) return `${The} is not written in the form it needs.`;
  if ((m = /^must match format "([^"]+)"/.exec(complaint))) return `${The} must be a valid ${words(m[1])}.`;
  if (/^must be equal to one of the allowed values/.test(complaint)) return `${The} must be one of the offered choices.`;
  if (/^must be integer/.test(complaint)) return `${The} must be a whole number.`;
  if (/^must be number/.test(complaint)) return `${The} must be a number.`;
  if (/^must be string/.test(complaint)) return `${The} must be text.`;
  if (/^must be boolean/.test(complaint)) return `${The} must be yes or no.`;
  if ((m = /^must be (>=|>|<=|<) (-?[\d.]+)/.exec(complaint)))
    return `${The} must be ${{ '>=': 'at least', '>': 'more than', '<=': 'at most', '<': 'less than' }[m[1]]} ${m[2]}.`;
  if (/^must NOT have additional properties/.test(complaint)) return `The form sent a field the server does not take.`;
  return `${The} was refused: it ${complaint}.`;
}

/**
 * The problem an error is, for people. A VALIDATION error about a field is the form's sentence
 * for it (`fields`), or one written from the schema's complaint.
 */
export function toProblem(err: unknown, fields: FieldSentences = {}, title?: string): Problem {
  if (!(err instanceof ApiError)) return { title, sentence: sentence(err instanceof Error ? err.message : String(err)) };
  const base = { title, code: err.code, status: err.status || undefined };
  if (err.code === 'VALIDATION') {
    // "<part>/<field path> <complaint>" or "<part> <complaint>" (a required property names its field in the complaint).
    const m = /^(body|querystring|params|headers)((?:\/[\w-]+)*) (must .*)$/s.exec(err.message);
    if (m) {
      const required = /^must have required property '([^']+)'/.exec(m[3]);
      const field = `${m[1]}${m[2]}${required ? `/${required[1]}` : ''}`;
      const own = fields[field];
      const key = field.split('/').pop()!;
      const label = own?.label ?? (key === m[1] ? 'request' : words(key));
      const said = own?.invalid && !required ? own.invalid : validationSentence(label, m[3]);
      return { ...base, field, label, sentence: said };
    }
  }
  if (err.code === 'NETWORK') return { ...base, sentence: 'The server could not be reached: check the connection and try again.' };
  if (err.code === 'INTERNAL') return { ...base, sentence: 'Something went wrong on the server. The details are in its log.' };
  if (err.code === 'FORBIDDEN') return { ...base, sentence: sentence(`Your role may not do this (${err.message})`) };
  return { ...base, sentence: sentence(err.message) };
}
