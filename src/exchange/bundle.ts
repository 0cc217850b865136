/**
 * Signed Alliance bundles, for members that cannot connect (air-gapped labs): the feed pages of a
 * bank for one recipient, one signed envelope per line after a header line. Each page is checked
 * offline exactly as a page fetched over HTTP is (signature by the registered key, addressee,
 * position), and applied through the same subscription checkpoint — so importing the same bundle
 * twice, or an overlapping newer one, applies every change once. A page that straddles the
 * checkpoint is applied from it on: its entries are positioned, so the ones after the checkpoint
 * are exactly what a page starting there would hold.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { AllianceError } from '../errors/catalogue.js';
import { feedPage, type AllianceCheckpoint } from './apis/alliance.js';
import type { ExchangePage } from './apis/exchange-api.js';
import { open, type Envelope } from './envelope.js';
import { writeAtomically } from './formats/atomic-write.js';
import { checkPage, type Page } from './page.js';

export const BUNDLE_FORMAT = 'alliance-bundle';
export const BUNDLE_VERSION = 1;

export interface BundleHeader {
  format: typeof BUNDLE_FORMAT;
  version: number;
  publisher: string;
  subscriber: string;
  bank: string;
  since: number;
  key: string;
  created_at: string;
}

/** Writes a header and the envelopes to a file that replaces `path` only when complete. */
export async function writeBundle(
  path: string,
  header: Omit<BundleHeader, 'format' | 'version' | 'created_at'>,
  pages: AsyncIterable<Envelope>,
): Promise<{ pages: number; entries: number; to: number }> {
  return writeAtomically(path, async (write) => {
    const out = { pages: 0, entries: 0, to: header.since };
    const full: BundleHeader = { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, ...header, created_at: new Date().toISOString() };
    await write(`${JSON.stringify(full)}\n`);
    for await (const envelope of pages) {
      await write(`${JSON.stringify(envelope)}\n`);
      const page = JSON.parse(envelope.payload) as Page;
      out.pages++;
      out.entries += page.entries.length;
      out.to = page.to;
    }
    return out;
  });
}

const invalid = (path: string, line: number, why: string) => new AllianceError('FEED_INVALID', `${path}, line ${line}: ${why}`);

/** Reads a bundle's header line (to find the bank and publisher it is for). */
export async function readBundleHeader(path: string): Promise<BundleHeader> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      let h: Partial<BundleHeader>;
      try {
        h = JSON.parse(line) as Partial<BundleHeader>;
      } catch {
        throw invalid(path, 1, 'not an Alliance bundle (the first line is not JSON)');
      }
      if (h?.format !== BUNDLE_FORMAT) throw invalid(path, 1, 'not an Alliance bundle');
      if (h.version !== BUNDLE_VERSION) throw invalid(path, 1, `unsupported bundle version ${String(h.version)}`);
      if (
        typeof h.publisher !== 'string' ||
        typeof h.subscriber !== 'string' ||
        typeof h.bank !== 'string' ||
        typeof h.key !== 'string' ||
        !Number.isSafeInteger(h.since)
      ) {
        throw invalid(path, 1, 'the header lacks publisher, subscriber, bank, key or since');
      }
      return h as BundleHeader;
    }
    throw invalid(path, 1, 'the file is empty');
  } finally {
    lines.close();
  }
}

/**
 * A bundle as the federation feed's pages offline (the same pages apis/alliance.ts yields): each
 * page starts at the checkpoint (pages the subscriber already has are skipped; a bundle that
 * starts after the checkpoint is a gap).
 */
export class BundleFeed {
  private lines?: AsyncIterator<string>;
  private lineNo = 1;

  constructor(
    private readonly path: string,
    private readonly peer: { name: string; public_key: string },
    private readonly self: string,
    private readonly bank: string,
  ) {}

  /** The next non-empty line with its number. */
  private async nextLine(): Promise<{ text: string; line: number } | undefined> {
    for (;;) {
      const next = await this.lines!.next();
      if (next.done) return undefined;
      this.lineNo++;
      if (next.value.trim() !== '') return { text: next.value, line: this.lineNo };
    }
  }

  /** The bundle's pages after `since`, each verified as a fetched page is. */
  async *pages(since: number): AsyncGenerator<ExchangePage<AllianceCheckpoint>> {
    let checkpoint = since;
    for (;;) {
      const page = await this.next(checkpoint);
      if (page === undefined) return;
      yield page;
      checkpoint = page.checkpoint.since;
    }
  }

  /** The page that starts at the checkpoint; undefined at the end of the file. */
  private async next(checkpoint: number): Promise<ExchangePage<AllianceCheckpoint> | undefined> {
    if (!this.lines) {
      const header = await readBundleHeader(this.path);
      if (header.publisher !== this.peer.name) throw invalid(this.path, 1, `the bundle is from "${header.publisher}", not from "${this.peer.name}"`);
      if (header.key !== this.peer.public_key) throw invalid(this.path, 1, `the bundle names another key than the one registered for ${this.peer.name}`);
      const rl = createInterface({ input: createReadStream(this.path, { encoding: 'utf8' }), crlfDelay: Infinity });
      this.lines = rl[Symbol.asyncIterator]();
      await this.lines.next(); // the header
    }
    for (;;) {
      const got = await this.nextLine();
      if (got === undefined) return undefined;
      let envelope: unknown;
      try {
        envelope = JSON.parse(got.text);
      } catch {
        throw invalid(this.path, got.line, 'the line is not JSON (truncated or altered file)');
      }
      let payload: unknown;
      try {
        payload = open(envelope, this.peer.public_key);
        // A page this node already applied (a repeated bundle) is skipped once verified; a page that
        // overlaps the checkpoint (a newer full bundle) is applied from the checkpoint on.
        const p = payload as Partial<Page>;
        if (typeof p.to === 'number' && typeof p.since === 'number' && Array.isArray(p.entries) && p.since < checkpoint) {
          if (p.to <= checkpoint) continue;
          payload = { ...p, since: checkpoint, entries: p.entries.filter((e: { seq?: unknown }) => typeof e?.seq === 'number' && e.seq > checkpoint) };
        }
        const page = checkPage(payload, { publisher: this.peer.name, subscriber: this.self, bank: this.bank, since: checkpoint });
        return feedPage(page);
      } catch (err) {
        throw err instanceof AllianceError ? invalid(this.path, got.line, err.message) : err;
      }
    }
  }
}
