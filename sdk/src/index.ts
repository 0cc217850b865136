/**
 * The Alliance check SDK. A platform's page asks its Alliance node, before a search runs or an
 * upload is sent, whether to stop it and what to show:
 *
 * ```js
 * import { AllianceCheck, renderMessage } from '@alliance/check-sdk';
 * const alliance = new AllianceCheck({ baseUrl: 'https://node.example', token, country: 'BE', language: 'fr', audience: 'teen' });
 * const answer = await alliance.checkText(query);            // the query goes to the node, is not stored
 * if (answer.match) renderMessage(warningElement, answer);
 * const upload = await alliance.checkImage(file);            // only hashes leave the page
 * if (upload.action === 'block') renderMessage(warningElement, upload);
 * ```
 *
 * Images are hashed in a WebWorker (PDQ with the server's own code, and SHA-256): the page stays
 * responsive and the image bytes never leave the browser.
 */
import type { HashRequest, HashResponse, ImageHashes } from './protocol.js';
import type { Audience, CheckAnswer, MessageContext, UploadAnswer } from './types.js';

export { renderMessage, type RenderOptions } from './panel.js';
export { LABELS, labelsFor, type Labels } from './labels.js';
export type { Audience, CheckAnswer, HelpEntry, MessageContext, ServedMessage, UploadAnswer } from './types.js';
export type { ImageHashes } from './protocol.js';

/** Hashes below this PDQ quality are not sent (too flat to match safely); SHA-256 still is. */
export const PDQ_MIN_QUALITY = 50;
const WORKER_FILE = './alliance-check-worker.js';

export interface AllianceCheckOptions {
  /** The node's address (default: this page's origin). */
  baseUrl?: string;
  /** A token with the check permission (a matcher's), or a function that gets one. */
  token: string | (() => string | Promise<string>);
  /** The user's country (ISO 3166-1 alpha-2): whose help entries to show. */
  country?: string;
  /** The language to show messages in (English when the node has no approved translation). */
  language?: string;
  audience?: Audience;
  /** Where the worker script is (default: next to this module). */
  workerUrl?: string | URL;
  /** Largest image to decode, in pixels (default 100 million). */
  maxPixels?: number;
}

/** An error the node answered with: its catalogue code and message. */
export class AllianceCheckError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AllianceCheckError';
  }
}

export class AllianceCheck {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (h: ImageHashes) => void; reject: (e: Error) => void }>();

  constructor(private readonly options: AllianceCheckOptions) {}

  private who() {
    const { country, language, audience } = this.options;
    return { country: country ?? null, language: language ?? null, audience: audience ?? null };
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    const base = (this.options.baseUrl ?? location.origin).replace(/\/+$/, '');
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) throw new AllianceCheckError(res.status, String(data.code ?? 'HTTP_ERROR'), String(data.message ?? `the node answered ${res.status}`));
    return data as T;
  }

  /** Is this search text on the node's keyword lists? The message and help to show if so. */
  checkText(text: string, context: Exclude<MessageContext, 'upload-blocked'> = 'search'): Promise<CheckAnswer> {
    return this.request('POST', '/api/v1/check/text', { text, context, ...this.who() });
  }

  /** The message and help of a context without a check (a "get help" link, a page for victims). */
  message(context: MessageContext): Promise<Omit<CheckAnswer, 'match'>> {
    const q = new URLSearchParams({ context });
    for (const [k, v] of Object.entries(this.who())) if (v) q.set(k, v);
    return this.request('GET', `/api/v1/check/message?${q}`);
  }

  /** Hashes an image in the worker: PDQ (with its quality) and SHA-256. Nothing is sent. */
  hashImage(file: Blob): Promise<ImageHashes> {
    return file.arrayBuffer().then((bytes) => {
      const worker = this.startWorker();
      const id = this.nextId++;
      return new Promise<ImageHashes>((resolve, reject) => {
        this.waiting.set(id, { resolve, reject });
        const req: HashRequest = { id, bytes, maxPixels: this.options.maxPixels ?? 100_000_000 };
        worker.postMessage(req, [bytes]);
      });
    });
  }

  /** Should this upload be blocked? Sends its hashes only — never the image. */
  async checkImage(file: Blob): Promise<UploadAnswer & { hashes: ImageHashes }> {
    const hashes = await this.hashImage(file);
    const answer = await this.request<UploadAnswer>('POST', '/api/v1/check/upload', {
      sha256: hashes.sha256,
      ...(hashes.quality >= PDQ_MIN_QUALITY ? { pdq: hashes.pdq } : {}),
      ...this.who(),
    });
    return { ...answer, hashes };
  }

  /** Stops the worker (a new one starts on the next image). */
  close(): void {
    this.worker?.terminate();
    this.worker = undefined;
    for (const w of this.waiting.values()) w.reject(new Error('closed'));
    this.waiting.clear();
  }

  private startWorker(): Worker {
    if (this.worker) return this.worker;
    const url = this.options.workerUrl ?? new URL(WORKER_FILE, import.meta.url);
    const worker = new Worker(url, { type: 'module', name: 'alliance-check' });
    worker.onmessage = (event: MessageEvent<HashResponse>) => {
      const res = event.data;
      const w = this.waiting.get(res.id);
      if (!w) return;
      this.waiting.delete(res.id);
      if (res.ok) w.resolve(res.hashes);
      else w.reject(new Error(res.error));
    };
    worker.onerror = (event) => {
      for (const w of this.waiting.values()) w.reject(new Error(`the hashing worker failed: ${event.message}`));
      this.waiting.clear();
      this.worker = undefined;
    };
    this.worker = worker;
    return worker;
  }
}
