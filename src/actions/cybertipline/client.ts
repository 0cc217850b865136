/**
 * The CyberTipline's ESP web services (REFERENCE.md §9) over HTTP Basic: submit the report XML,
 * upload a file, send a file's details, finish, retract. The service answers HTTP 200 even when it
 * refuses: its `responseCode` says (0: success; anything else is an error whose
 * `responseDescription` is kept). Every request has a deadline and a size cap on the answer, and
 * no request is repeated here: whether a step may be sent again is the caller's (service.ts)
 * decision, made from the stored state.
 */
import { XMLParser } from 'fast-xml-parser';
import { AllianceError } from '../../errors/catalogue.js';
import { AnswerTooLarge, readAnswerText } from '../../media/fetch-url.js';

export interface EspAnswer {
  responseCode: number;
  responseDescription: string;
  reportId?: string;
  fileId?: string;
  hash?: string;
}

/** A request that may have reached the service although no answer came back (a timeout, a reset). */
export class AnswerLost extends AllianceError {
  constructor(message: string) {
    super('CYBERTIPLINE_UNAVAILABLE', message);
  }
}

export interface EspClientOptions {
  url: string;
  user: string;
  password: string;
  timeoutMs: number;
}

const MAX_ANSWER = 1024 * 1024;
const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, processEntities: true, htmlEntities: false, removeNSPrefix: true });

/** The service's text as shown to people: no control characters, at most 500 characters. */
const clean = (s: string) =>
  s
    // eslint-disable-next-line no-control-regex -- the remote's control characters are not shown
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);

/** Network errors where nothing reached the service (safe to send again). */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export class EspClient {
  constructor(private readonly opts: EspClientOptions) {}

  private async call(path: string, body: string | FormData | URLSearchParams, contentType?: string): Promise<EspAnswer> {
    const where = `the CyberTipline (POST ${path})`;
    const headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${this.opts.user}:${this.opts.password}`).toString('base64')}`,
      accept: 'text/xml, application/xml',
    };
    if (contentType) headers['content-type'] = contentType;
    let res: Response;
    try {
      res = await fetch(`${this.opts.url}${path}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.opts.timeoutMs), redirect: 'error' });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new AnswerLost(`${where} did not answer within ${this.opts.timeoutMs / 1000} s`);
      if (e.cause?.code && NOT_SENT.has(e.cause.code)) throw new AllianceError('CYBERTIPLINE_UNAVAILABLE', `cannot reach ${where}: ${e.cause.code}`);
      throw new AnswerLost(`${where}: the connection failed before an answer (${clean(e.cause?.code ?? e.message)})`);
    }
    let text: string;
    try {
      text = await readAnswerText(res, MAX_ANSWER);
    } catch (err) {
      if (err instanceof AnswerTooLarge) throw new AllianceError('CYBERTIPLINE_UNAVAILABLE', `${where} sent more than ${MAX_ANSWER} bytes: refused`);
      throw new AnswerLost(`${where}: the answer was cut off (${clean((err as Error).message)})`);
    }
    if (res.status === 401 || res.status === 403)
      throw new AllianceError('CYBERTIPLINE_AUTH', `${where} refused the credentials (HTTP ${res.status}): check ALLIANCE_CYBERTIPLINE_USER and its password`);
    if (res.status >= 500 || res.status === 429) throw new AllianceError('CYBERTIPLINE_UNAVAILABLE', `${where} answered HTTP ${res.status}`);
    if (res.status !== 200) throw new AllianceError('CYBERTIPLINE_REJECTED', `${where} answered HTTP ${res.status}: ${clean(text)}`);
    return this.parse(where, text);
  }

  private parse(where: string, text: string): EspAnswer {
    if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new AllianceError('CYBERTIPLINE_UNAVAILABLE', `${where} answered XML with a DOCTYPE: refused`);
    let doc: Record<string, unknown>;
    try {
      doc = parser.parse(text, true) as Record<string, unknown>;
    } catch {
      throw new AllianceError('CYBERTIPLINE_UNAVAILABLE', `${where} answered something that is not XML: ${clean(text).slice(0, 200)}`);
    }
    const root = Object.entries(doc).find(([k]) => k !== '?xml')?.[1];
    if (!root || typeof root !== 'object') throw new AllianceError('CYBERTIPLINE_UNAVAILABLE', `${where} answered XML without a response element`);
    const r = root as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? clean(String(v)) : undefined);
    const code = Number(str(r.responseCode));
    if (!Number.isInteger(code)) throw new AllianceError('CYBERTIPLINE_UNAVAILABLE', `${where} answered without a responseCode`);
    return {
      responseCode: code,
      responseDescription: str(r.responseDescription) ?? '',
      ...(str(r.reportId) ? { reportId: str(r.reportId) } : {}),
      ...(str(r.fileId) ? { fileId: str(r.fileId) } : {}),
      ...(str(r.hash) ? { hash: str(r.hash) } : {}),
    };
  }

  submit(xml: string): Promise<EspAnswer> {
    return this.call('/submit', xml, 'text/xml; charset=utf-8');
  }

  upload(reportId: string, fileName: string, bytes: Buffer): Promise<EspAnswer> {
    const form = new FormData();
    form.set('id', reportId);
    form.set('file', new Blob([bytes]), fileName);
    return this.call('/upload', form);
  }

  fileInfo(xml: string): Promise<EspAnswer> {
    return this.call('/fileinfo', xml, 'text/xml; charset=utf-8');
  }

  finish(reportId: string): Promise<EspAnswer> {
    return this.call('/finish', new URLSearchParams({ id: reportId }));
  }

  retract(reportId: string): Promise<EspAnswer> {
    return this.call('/retract', new URLSearchParams({ id: reportId }));
  }
}
