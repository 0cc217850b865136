/**
 * The one error catalogue: every error Alliance reports has a stable code, an HTTP status (for the
 * API) and a one-line meaning. Code throws `AllianceError(code, message)`; edges (CLI, API) print
 * or serialise `{ code, message }` and never the driver's or library's own wording alone.
 * `docs/errors.md` lists this table; a test keeps the two in sync.
 */
export const ERRORS = {
  USAGE: { status: 400, meaning: 'The command line or request is malformed (unknown option, bad value).' },
  FILE_NOT_FOUND: { status: 404, meaning: 'The path does not exist (or is a dangling symlink).' },
  FILE_UNREADABLE: { status: 403, meaning: 'The file exists but cannot be read (permissions, I/O error).' },
  FILE_EMPTY: { status: 422, meaning: 'The file has 0 bytes; there is nothing to hash.' },
  FILE_NOT_REGULAR: { status: 422, meaning: 'The path is a device, FIFO or socket, which is never read.' },
  MEDIA_MISMATCH: { status: 422, meaning: "The file's name says image or video but its content is not." },
  IMAGE_UNSUPPORTED: { status: 415, meaning: 'The content is not an image format the decoder supports.' },
  IMAGE_CORRUPT: { status: 422, meaning: 'The image is truncated or damaged and cannot be decoded.' },
  IMAGE_TOO_LARGE: { status: 413, meaning: 'The image declares more pixels than the configured limit (decompression-bomb guard).' },
  VIDEO_UNDECODABLE: { status: 422, meaning: 'ffmpeg cannot decode a video stream from the file.' },
  FFMPEG_MISSING: { status: 500, meaning: 'ffmpeg/ffprobe is not installed or ALLIANCE_FFMPEG points nowhere.' },
  SIGNAL_MALFORMED: { status: 400, meaning: 'A hash value is not in the form its signal type requires.' },
  SIGNAL_TYPE_UNKNOWN: { status: 400, meaning: 'No signal type of that name is registered.' },
  SIGNAL_NOT_APPLICABLE: { status: 422, meaning: 'The signal type cannot hash this kind of media.' },
  VALIDATION: { status: 400, meaning: 'A request field is missing, of the wrong type or out of range.' },
  UNAUTHENTICATED: { status: 401, meaning: 'No bearer token, or a token that is unknown or revoked.' },
  FORBIDDEN: { status: 403, meaning: "The token's role or member may not do this." },
  NOT_FOUND: { status: 404, meaning: 'No such route or resource.' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'The path exists but not for this method (the Allow header lists those it takes).' },
  UPLOAD_INVALID: { status: 400, meaning: 'An uploaded file cannot be hashed: empty, not an image or video the node decodes, or damaged.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'The request body has a content type this route does not accept.' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The request body is larger than the configured limit.' },
  BANK_NAME_INVALID: { status: 400, meaning: 'Bank names are upper-case letters, digits and underscores (^[A-Z0-9_]+$).' },
  BANK_EXISTS: { status: 409, meaning: 'A bank with that name exists already.' },
  BANK_NOT_FOUND: { status: 404, meaning: 'No bank of that name.' },
  CONTENT_NOT_FOUND: { status: 404, meaning: 'No bank content with that id.' },
  SIGNAL_NOT_FOUND: { status: 404, meaning: 'No signal with that id.' },
  MEMBER_EXISTS: { status: 409, meaning: 'A member with that name exists already.' },
  MEMBER_NOT_FOUND: { status: 404, meaning: 'No member of that name.' },
  CLASSIFICATION_INVALID: { status: 400, meaning: 'A classification is not one of the known schemes and values.' },
  IMPORT_INVALID: { status: 400, meaning: 'An import file is malformed; nothing of it was stored.' },
  URL_REJECTED: {
    status: 400,
    meaning:
      'A URL to fetch (or post to: webhooks, abuse endpoints) is not http(s), or points to a private address that ALLIANCE_FETCH_ALLOWED_HOSTS does not list with its port.',
  },
  FETCH_FAILED: { status: 400, meaning: "Fetching a URL failed (network error, non-2xx status, timeout); the message never carries the remote's own words." },
  PEER_EXISTS: { status: 409, meaning: 'That member, or that public key, is registered as a peer already.' },
  PEER_NOT_FOUND: { status: 404, meaning: 'No peer of that name.' },
  PEER_UNTRUSTED: { status: 401, meaning: 'A federation request or page is not signed by the key registered for that peer (or its date is off).' },
  AGREEMENT_INVALID: { status: 400, meaning: 'A sharing agreement names no recipient, or an unknown country, kind or legal status.' },
  NOT_PUBLISHED: { status: 404, meaning: 'The bank is not published to the requesting member.' },
  SUBSCRIPTION_EXISTS: { status: 409, meaning: 'This node already subscribes to that bank of that peer.' },
  SUBSCRIPTION_NOT_FOUND: { status: 404, meaning: 'No subscription with that id.' },
  PEER_REFUSED: {
    status: 424,
    meaning:
      'A peer refused the request with an error of its own (named in the message and in peer_code): not a transient failure, so it is not retried — a subscription waits for the next explicit sync, a delivery is failed.',
  },
  FEED_INVALID: { status: 502, meaning: "A peer's feed page is malformed, mis-signed, out of sequence, truncated or late; nothing of it was applied." },
  EXCHANGE_API_UNKNOWN: { status: 400, meaning: 'No exchange API of that name (`alliance exchange apis` lists them).' },
  EXCHANGE_NOT_FOUND: { status: 404, meaning: 'No exchange of that name on this node.' },
  EXCHANGE_EXISTS: { status: 409, meaning: 'An exchange of that name exists already.' },
  EXCHANGE_CONFIG_INVALID: { status: 400, meaning: "An exchange's configuration or an API's credentials do not match the API's schema (the field is named)." },
  EXCHANGE_AUTH: {
    status: 424,
    meaning: 'An external exchange refused the credentials (HTTP 401/403): not retried until the credentials are set again or a fetch is asked for.',
  },
  EXCHANGE_REFUSED: {
    status: 424,
    meaning: 'An external exchange refused a request (a 4xx other than 401/403); its words are in the message, cleaned and cut.',
  },
  EXCHANGE_UNAVAILABLE: {
    status: 502,
    meaning:
      'An external exchange could not be reached, did not answer in time or answered 429/5xx after every retry; what was applied before stays, the next fetch resumes.',
  },
  EXCHANGE_INVALID: {
    status: 502,
    meaning:
      'An external exchange answered something that is not its protocol (malformed or hostile XML/JSON, a DOCTYPE, the wrong content type, too large); nothing of that answer was applied.',
  },
  OPINION_INVALID: { status: 400, meaning: 'An opinion is not confirmed, false_positive or disputed, or names unknown content.' },
  RULE_INVALID: { status: 400, meaning: 'An action rule has an unknown condition or action, a bad value, or a webhook action without its webhook.' },
  RULE_EXISTS: { status: 409, meaning: 'An action rule or webhook with that name exists already.' },
  RULE_NOT_FOUND: { status: 404, meaning: 'No action rule or webhook with that id or name.' },
  SUBMISSION_INVALID: { status: 400, meaning: 'A submission has no signal, an unknown field, or context (IP, URL, account, time) in the wrong form.' },
  REVIEW_NOT_FOUND: { status: 404, meaning: 'No review item with that id.' },
  REVIEW_DECIDED: { status: 409, meaning: 'The review item has a verdict already; a verdict is never changed.' },
  REVIEW_NOT_BULK: {
    status: 409,
    meaning:
      'A bulk verdict takes only reviews whose every match is an exact hash (MD5, SHA-1, SHA-256) of content already confirmed; decide the others one by one.',
  },
  MEDIA_GONE: { status: 410, meaning: 'The media of a review is no longer kept (verdict given or retention period over); the hashes remain.' },
  WEBHOOK_INVALID: { status: 400, meaning: 'A webhook needs a name, an http(s) URL and a secret of at least 16 characters.' },
  DELIVERY_NOT_FOUND: { status: 404, meaning: 'No webhook delivery with that id.' },
  REPORT_INVALID: {
    status: 400,
    meaning: 'An incident report is missing a required field (type; a file with a hash or an internet detail) or has one in the wrong form.',
  },
  REPORT_NOT_FOUND: { status: 404, meaning: 'No incident report with that id.' },
  REPORT_FINISHED: { status: 409, meaning: 'A finished report is immutable; send a supplement that links to it instead. The attempt is audited.' },
  CYBERTIPLINE_OFF: {
    status: 409,
    meaning:
      'CyberTipline submission is not configured on this node (ALLIANCE_CYBERTIPLINE_USER and its password): it cannot be asked for, nor made a receiving authority; a report routed to it is kept, its delivery failed with the reason.',
  },
  CYBERTIPLINE_AUTH: {
    status: 424,
    meaning: 'The CyberTipline refused the credentials (HTTP 401/403): nothing is retried until the submission is asked for again.',
  },
  CYBERTIPLINE_REJECTED: {
    status: 424,
    meaning:
      "The CyberTipline answered a non-zero responseCode (or a 4xx): its responseCode and responseDescription are kept on the report's view; not retried until asked again.",
  },
  CYBERTIPLINE_UNAVAILABLE: {
    status: 502,
    meaning:
      'The CyberTipline could not be reached, did not answer in time or answered 5xx; the submission resumes from its stored state (never a second report).',
  },
  CYBERTIPLINE_STATE: {
    status: 409,
    meaning:
      'The step does not fit where the submission stands (finish after retract, retract after finish, or a submit whose answer was lost: check, then --resubmit).',
  },
  ROUTING_INVALID: {
    status: 400,
    meaning:
      'A receiving authority needs an ISO 3166-1 alpha-2 country and a registered peer (or the CyberTipline, with ALLIANCE_CYBERTIPLINE_REPORTER_EMAIL set).',
  },
  PROVIDER_INVALID: { status: 400, meaning: 'A hosting provider needs a name, its domains, and an http(s) abuse URL or an e-mail address.' },
  NOTICE_INVALID: { status: 400, meaning: 'A notice needs an http(s) URL, evidence hashes and a legal basis.' },
  NOTICE_NOT_FOUND: { status: 404, meaning: 'No notice or hosting provider with that id or name.' },
  SERIES_INVALID: { status: 400, meaning: 'A series field is missing or malformed (name, dates, status, or a status change that is not allowed).' },
  SERIES_NOT_FOUND: { status: 404, meaning: 'No series with that id or uid.' },
  TRIAGE_NOT_FOUND: { status: 404, meaning: 'No triage run with that id.' },
  PERIOD_INVALID: {
    status: 400,
    meaning: 'A reporting period is a year (2026), a quarter (2026-Q3) or a month (2026-07); a baseline is an earlier period of the same kind.',
  },
  REPORTING_INVALID: { status: 400, meaning: 'A manual entry, campaign, self-assessment rating or report field is missing or malformed.' },
  REPORTING_NOT_FOUND: { status: 404, meaning: 'No campaign or country report with that id.' },
  COUNTRY_REPORT_INVALID: {
    status: 400,
    meaning: "A country report was refused: not signed, signed by another key than the sender's, altered after signing, or not a report of the sending member.",
  },
  HELP_ENTRY_INVALID: {
    status: 400,
    meaning:
      'A help directory entry needs a country (ISO 3166-1 alpha-2), a kind, a name; languages are codes; channels are {type, value} (web and chat as http(s) addresses).',
  },
  MESSAGE_INVALID: {
    status: 400,
    meaning:
      'An awareness message needs a context (search, upload-blocked, child-safety, victim), an audience (child, teen, adult), a language code, a title (≤ 200) and a body (≤ 2,000).',
  },
  MESSAGE_NOT_FOUND: { status: 404, meaning: 'No awareness message version with that id.' },
  MESSAGE_REVIEW_CONFLICT: { status: 409, meaning: 'Only a draft can be reviewed, and by someone other than its author.' },
  CHECK_INVALID: {
    status: 400,
    meaning:
      'A check request needs its text (≤ 2,000 characters) or at least one hash; country is ISO 3166-1 alpha-2, language a language code, audience child, teen or adult.',
  },
  HELP_ENTRY_RECEIVED: { status: 409, meaning: 'The help directory entry was received from a peer: only its publisher changes it.' },
  HELP_ENTRY_NOT_FOUND: { status: 404, meaning: 'No help directory entry with that id.' },
  COUNTRY_REPORT_SIGNED: { status: 409, meaning: 'A signed country report does not change; build the period again for a new draft.' },
  SERIES_NOT_OWNED: { status: 403, meaning: 'A series received from a peer is changed by its owner only.' },
  VICTIM_NOT_FOUND: { status: 404, meaning: 'No victim record with that id.' },
  SERVICE_INVALID: { status: 400, meaning: 'A support service needs a country (ISO 3166-1 alpha-2), a name, a kind and a contact.' },
  SERVICE_NOT_FOUND: { status: 404, meaning: 'No support service with that id.' },
  CASE_INVALID: { status: 400, meaning: 'A case needs a reference and a contact point; a target needs a known kind and an identifier of that kind.' },
  CASE_NOT_FOUND: { status: 404, meaning: 'No case with that id.' },
  OPERATION_INVALID: {
    status: 400,
    meaning:
      'An operation needs a name, a legal basis, an owner agency and a contact point; a target file must be well-formed (the line and field are named) and is then imported whole or not at all.',
  },
  OPERATION_NOT_FOUND: { status: 404, meaning: 'No operation (or no target of that reference in it).' },
  OPERATION_EXISTS: { status: 409, meaning: 'An operation of that name exists already.' },
  LEAD_PACKAGE_INVALID: {
    status: 400,
    meaning:
      "A lead package was refused: not signed, signed by another key than the sender's, altered after signing, malformed, or not a package of the sending member; nothing was stored.",
  },
  LEAD_PACKAGE_REFUSED: {
    status: 403,
    meaning: 'Lead packages are exchanged between authorities only: this sender is not a registered authority peer (nothing was stored).',
  },
  LEAD_PACKAGE_MISROUTED: {
    status: 403,
    meaning:
      "A lead package came to a node that is not its country's receiving authority: this node is not an authority, or the package is for another country whose authority this node's routing table names (nothing was stored).",
  },
  LEAD_PACKAGE_DECLINED: {
    status: 409,
    meaning:
      "A lead package's receiver declined it: it takes no outcomes of the receiver's own, and one with such outcomes is not declined (a decline is final, there is no re-open; nothing was recorded or changed).",
  },
  LEAD_TARGET_TOO_LARGE: {
    status: 422,
    meaning:
      'A target is too large for any lead package to carry (a package travels in one federation request of 1 MiB): the target is named; nothing was imported or built.',
  },
  LEAD_INVALID: {
    status: 400,
    meaning:
      'A lead package or its handling cannot be done as asked (no targets to package, a state that does not allow it, an outcome for a target not in the package, a reason missing); the message says which.',
  },
  LEAD_NOT_FOUND: { status: 404, meaning: 'No lead package (sent or received) of that number or uid.' },
  LEAD_UPDATE_INVALID: {
    status: 400,
    meaning:
      'A status update on a lead package was refused: not signed by the key registered for its sender, about a package not sent to that sender, or an outcome for a target not in the package; nothing changed.',
  },
  LEAD_UPDATE_REPLAYED: { status: 409, meaning: 'That status update (package and sequence number) was received already; nothing changed.' },
  DECONFLICTION_OFF: { status: 503, meaning: 'Deconfliction needs the alliance-wide key (ALLIANCE_DECONFLICTION_KEY, 32 bytes or more).' },
  INDEX_NOT_READY: { status: 503, meaning: 'The match index is still loading.' },
  CHECKPOINT_INVALID: {
    status: 400,
    meaning: "An audit checkpoint sent to this node as a witness is not signed by the sender's registered key, or not a checkpoint of the sender's chain.",
  },
  CHECKPOINT_CONFLICT: {
    status: 409,
    meaning:
      'An audit checkpoint names another hash for an entry this witness holds for that member: two histories were signed (its chain was rewritten). The attempt is audited.',
  },
  SERVER_BUSY: { status: 503, meaning: 'The node is at its limit for heavy work (decoding, video comparison) right now; retry after the Retry-After seconds.' },
  AUDIT_CHAIN_BROKEN: { status: 500, meaning: 'An audit log entry was edited or deleted: the hash chain does not verify.' },
  INDEX_SNAPSHOT_INVALID: {
    status: 500,
    meaning: 'An index snapshot file is foreign, truncated or of an unsupported version (it is rebuilt from the database).',
  },
  INTERNAL: { status: 500, meaning: 'An unexpected failure; the message carries the cause.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERRORS;

/**
 * An error with a catalogue code.
 * @example throw new AllianceError('IMAGE_TOO_LARGE', '100000×100000 exceeds 100,000,000 pixels');
 */
export class AllianceError extends Error {
  readonly code: ErrorCode;
  /** Extra fields of the error's answer beside code and message (e.g. PEER_REFUSED's peer_code). */
  readonly details: Readonly<Record<string, string | number>> | undefined;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, string | number> }) {
    super(message, options);
    this.name = 'AllianceError';
    this.code = code;
    this.details = options?.details;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { ...this.details, code: this.code, message: this.message };
  }
}

/** Any thrown value as an AllianceError (unknown failures become INTERNAL with their message). */
export function toAllianceError(err: unknown): AllianceError {
  if (err instanceof AllianceError) return err;
  if (isErrnoException(err)) return fromErrno(err);
  const message = err instanceof Error ? err.message : String(err);
  return new AllianceError('INTERNAL', message, { cause: err });
}

/**
 * Maps file-system errors to catalogue codes with a reason a user understands. The message does
 * not repeat the path: results and error lines already carry it.
 */
export function fromErrno(err: NodeJS.ErrnoException): AllianceError {
  switch (err.code) {
    case 'ENOENT':
      return new AllianceError('FILE_NOT_FOUND', 'no such file', { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new AllianceError('FILE_UNREADABLE', 'permission denied', { cause: err });
    case 'EISDIR':
      return new AllianceError('FILE_NOT_REGULAR', 'is a directory', { cause: err });
    case 'EIO':
      return new AllianceError('FILE_UNREADABLE', 'I/O error while reading', { cause: err });
    default:
      return new AllianceError('FILE_UNREADABLE', `${err.code ?? 'error'}: ${err.message}`, { cause: err });
  }
}

function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).syscall !== undefined;
}

/**
 * A module's "bad input" error: one code, the message its caller writes.
 * @example const bad = failWith('SERIES_INVALID'); throw bad('name: required');
 */
export function failWith(code: ErrorCode): (message: string) => AllianceError {
  return (message) => new AllianceError(code, message);
}
