/**
 * HTTP to external exchanges with the limits a hostile or broken remote needs: a deadline for the
 * whole answer (a hang or a never-ending stream ends as a timeout), a size cap (a 1 GB answer is
 * refused after the cap, not read), an expected content type, and retries with exponential
 * back-off on what is worth retrying (network errors, timeouts, 429, 500, 502, 503, 504 — as
 * python-threatexchange's clients do). 401/403 are EXCHANGE_AUTH at once (a wrong password is
 * not retried in a loop); other 4xx are EXCHANGE_REFUSED with the remote's text (cleaned, cut).
 */
import { AllianceError } from '../../errors/catalogue.js';
import { AnswerTooLarge, readAnswerText, type AnswerCut } from '../../media/fetch-url.js';

export interface RemoteRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | FormData | URLSearchParams;
  /** Content types accepted for a 2xx answer (prefix match, e.g. "application/xml", "text/xml"); none: any. */
  accept?: string[];
  timeoutMs?: number;
  maxBytes?: number;
  /** Attempts in all (1: no retry). Only idempotent requests should be retried by default. */
  attempts?: number;
}

export interface RemoteAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface RemoteHttp {
  request(req: RemoteRequest): Promise<RemoteAnswer>;
}

export interface RemoteHttpOptions {
  /** The remote's name for messages ("NCMEC", "ThreatExchange"). */
  remote: string;
  timeoutMs?: number;
  maxBytes?: number;
  attempts?: number;
  /** The first back-off (doubled each retry). */
  backoffMs?: number;
  signal?: AbortSignal;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/** A remote's text as shown to people: no control characters, at most 300 characters. */
export function cleanRemoteText(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- a remote's control characters are not shown to people
      .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 300)
  );
}

/** The URL without its credentials or query (for messages and logs). */
const shown = (url: string) => {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
};

class Retryable extends Error {}

export function remoteHttp(opts: RemoteHttpOptions): RemoteHttp {
  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      opts.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          reject(new AllianceError('EXCHANGE_UNAVAILABLE', `${opts.remote}: stopped`));
        },
        { once: true },
      );
    });

  async function once(req: RemoteRequest): Promise<RemoteAnswer> {
    const timeoutMs = req.timeoutMs ?? opts.timeoutMs ?? 30_000;
    const maxBytes = req.maxBytes ?? opts.maxBytes ?? 64 * 1024 * 1024;
    const signals = [AbortSignal.timeout(timeoutMs), ...(opts.signal ? [opts.signal] : [])];
    const signal = AbortSignal.any(signals);
    const where = `${opts.remote} (${req.method ?? 'GET'} ${shown(req.url)})`;
    let res: Response;
    try {
      res = await fetch(req.url, { method: req.method ?? 'GET', headers: req.headers, body: req.body, signal, redirect: 'error' });
    } catch (err) {
      const e = err as Error;
      if (opts.signal?.aborted) throw new AllianceError('EXCHANGE_UNAVAILABLE', `${where}: stopped`);
      throw new Retryable(
        e.name === 'TimeoutError' || e.name === 'AbortError' ? `${where} did not answer within ${timeoutMs / 1000} s` : `cannot reach ${where}: ${e.message}`,
      );
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      void res.body?.cancel().catch(() => undefined);
      throw new AllianceError(
        'EXCHANGE_INVALID',
        `${where} answered ${declared.toLocaleString('en')} bytes, more than the ${maxBytes.toLocaleString('en')} allowed: refused`,
      );
    }
    let text: string;
    try {
      text = await readAnswerText(res, maxBytes);
    } catch (err) {
      if (err instanceof AnswerTooLarge)
        throw new AllianceError('EXCHANGE_INVALID', `${where} sent more than the ${maxBytes.toLocaleString('en')} bytes allowed: refused`);
      if (opts.signal?.aborted) throw new AllianceError('EXCHANGE_UNAVAILABLE', `${where}: stopped`);
      const e = err as AnswerCut;
      throw new Retryable(e.late ? `${where} did not finish its answer within ${timeoutMs / 1000} s` : `truncated answer from ${where}: ${e.message}`);
    }
    if (res.status === 401 || res.status === 403)
      throw new AllianceError('EXCHANGE_AUTH', `${where} refused the credentials (HTTP ${res.status}); set them again with \`alliance exchange credentials\``, {
        details: { remote_status: res.status },
      });
    if (RETRYABLE.has(res.status)) throw new Retryable(`${where} answered ${res.status}${text ? `: ${cleanRemoteText(text)}` : ''}`);
    if (res.status >= 400)
      throw new AllianceError('EXCHANGE_REFUSED', `${where} answered ${res.status}${text ? `: ${cleanRemoteText(text)}` : ''}`, {
        details: { remote_status: res.status },
      });
    if (req.accept && res.status !== 204) {
      const type = (res.headers.get('content-type') ?? '').toLowerCase();
      if (!req.accept.some((a) => type.startsWith(a)))
        throw new AllianceError(
          'EXCHANGE_INVALID',
          `${where} answered with content type "${cleanRemoteText(type) || 'none'}", expected ${req.accept.join(' or ')}`,
        );
    }
    return { status: res.status, headers: res.headers, text };
  }

  return {
    async request(req) {
      const attempts = Math.max(1, req.attempts ?? opts.attempts ?? ((req.method ?? 'GET') === 'GET' ? 4 : 1));
      let delay = opts.backoffMs ?? 500;
      for (let attempt = 1; ; attempt++) {
        try {
          return await once(req);
        } catch (err) {
          if (!(err instanceof Retryable)) throw err;
          if (attempt >= attempts) throw new AllianceError('EXCHANGE_UNAVAILABLE', `${err.message} (${attempts} attempt${attempts > 1 ? 's' : ''})`);
          await sleep(delay);
          delay *= 2;
        }
      }
    },
  };
}
