/**
 * Index snapshots: an explicit, versioned file format (never a language's object pickle), so a
 * node restarts with its index ready in seconds and other tools can read it.
 *
 *   line 1   "alliance-index-snapshot\n"
 *   line 2   header JSON: { format, version, signalType, kind, meta, sections: [{ name, type, length }] }
 *   padding  zero bytes up to a multiple of 8
 *   body     each section's raw little-endian bytes, each padded to a multiple of 8
 *
 * Written to a temporary file and renamed, so a crash never leaves a half-written snapshot.
 */
import { open, rename, rm } from 'node:fs/promises';
import { AllianceError } from '../errors/catalogue.js';

const MAGIC = 'alliance-index-snapshot\n';
export const SNAPSHOT_VERSION = 1;

export type TypedArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;
const CONSTRUCTORS = { Uint8Array, Uint16Array, Uint32Array, Int32Array, Float64Array } as const;
type ArrayTypeName = keyof typeof CONSTRUCTORS;

export interface Snapshot {
  signalType: string;
  kind: string;
  meta: Record<string, unknown>;
  sections: Record<string, TypedArray>;
}

interface Header {
  format: 'alliance-index';
  version: number;
  signalType: string;
  kind: string;
  meta: Record<string, unknown>;
  sections: Array<{ name: string; type: ArrayTypeName; length: number }>;
}

const pad8 = (n: number) => (8 - (n % 8)) % 8;

/** Writes a snapshot atomically (temporary file, fsync, rename). */
export async function writeSnapshot(path: string, snap: Snapshot): Promise<number> {
  const header: Header = {
    format: 'alliance-index',
    version: SNAPSHOT_VERSION,
    signalType: snap.signalType,
    kind: snap.kind,
    meta: snap.meta,
    sections: Object.entries(snap.sections).map(([name, a]) => ({ name, type: a.constructor.name as ArrayTypeName, length: a.length })),
  };
  const head = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`);
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', 0o600); // snapshots live in the private data directory
  let bytes = 0;
  try {
    const write = async (b: Uint8Array) => {
      // Large sections are written in 64 MiB pieces (the write size limit of one call).
      for (let off = 0; off < b.byteLength; off += 1 << 26) {
        const piece = b.subarray(off, Math.min(b.byteLength, off + (1 << 26)));
        let done = 0;
        while (done < piece.byteLength) done += (await fh.write(piece, done)).bytesWritten;
      }
      bytes += b.byteLength;
    };
    await write(Buffer.concat([head, Buffer.alloc(pad8(head.length))]));
    for (const a of Object.values(snap.sections)) {
      await write(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      await write(Buffer.alloc(pad8(a.byteLength)));
    }
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  return bytes;
}

/** Snapshot kinds whose restore can keep sections in shared memory as they are (the others decode theirs). */
export const SHARED_SNAPSHOT_KINDS: readonly string[] = ['hamming256'];

export interface ReadSnapshotOptions {
  /** Sections of snapshots of these kinds are read into shared memory (for indexes probed by query threads). */
  sharedKinds?: readonly string[];
}

/** Reads a snapshot; throws INDEX_SNAPSHOT_INVALID for a foreign, truncated or newer file. */
export async function readSnapshot(path: string, options: ReadSnapshotOptions = {}): Promise<Snapshot> {
  const fh = await open(path, 'r');
  try {
    const invalid = (why: string) => new AllianceError('INDEX_SNAPSHOT_INVALID', `${path}: ${why}`);
    const { size } = await fh.stat();
    const probe = Buffer.alloc(Math.min(size, 1 << 20));
    await fh.read(probe, 0, probe.length, 0);
    if (probe.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw invalid('not an Alliance index snapshot');
    const nl = probe.indexOf(10, MAGIC.length);
    if (nl < 0) throw invalid('header too long or truncated');
    let header: Header;
    try {
      header = JSON.parse(probe.subarray(MAGIC.length, nl).toString('utf8')) as Header;
    } catch {
      throw invalid('header is not JSON');
    }
    if (header.format !== 'alliance-index' || header.version !== SNAPSHOT_VERSION) throw invalid(`unsupported format ${header.format} v${header.version}`);
    let pos = nl + 1;
    pos += pad8(pos);
    const sections: Record<string, TypedArray> = {};
    const shared = options.sharedKinds?.includes(header.kind) ?? false;
    for (const s of header.sections) {
      const Ctor = CONSTRUCTORS[s.type];
      if (!Ctor || !Number.isSafeInteger(s.length) || s.length < 0) throw invalid(`bad section ${s.name}`);
      if (pos + s.length * Ctor.BYTES_PER_ELEMENT > size) throw invalid(`truncated in section ${s.name}`);
      const array = shared
        ? new (Ctor as new (b: ArrayBufferLike) => TypedArray)(new SharedArrayBuffer(s.length * Ctor.BYTES_PER_ELEMENT))
        : new Ctor(s.length);
      const bytes = new Uint8Array(array.buffer);
      for (let off = 0; off < bytes.byteLength;) {
        const { bytesRead } = await fh.read(bytes, off, Math.min(bytes.byteLength - off, 1 << 26), pos + off);
        if (bytesRead === 0) throw invalid(`truncated in section ${s.name}`);
        off += bytesRead;
      }
      pos += bytes.byteLength + pad8(bytes.byteLength);
      sections[s.name] = array;
    }
    return { signalType: header.signalType, kind: header.kind, meta: header.meta, sections };
  } finally {
    await fh.close();
  }
}
