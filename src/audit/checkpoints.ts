/**
 * Signed checkpoints of the audit chain: the head (last entry id and hash) signed with the node's
 * Ed25519 key, appended to `data/audit-checkpoints.jsonl` — a file, not the database, so whoever
 * can write the database cannot rewrite them — at an interval, on demand and at shutdown, and
 * optionally sent to witness peers, who keep the latest they saw. Verification checks the chain
 * against every checkpoint: a rewritten or truncated chain no longer has the signed hash at the
 * signed entry. Each line is an envelope `{payload, signature, key}` whose payload is
 * `{"format":"alliance-audit-checkpoint","version":1,"member","entry","hash","at"}`: anyone with
 * the node's public key alone can check the file (`alliance audit checkpoints FILE --key …`).
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AllianceError } from '../errors/catalogue.js';
import { type Envelope, type NodeIdentity, open, seal } from '../exchange/index.js';
import { FILE_MODE } from '../store/index.js';

export const CHECKPOINT_FILE = 'audit-checkpoints.jsonl';
const FORMAT = 'alliance-audit-checkpoint';

export interface Checkpoint {
  format: typeof FORMAT;
  version: 1;
  /** The member whose node's chain this is. */
  member: string;
  /** The last entry's id and hash when the checkpoint was made. */
  entry: number;
  hash: string;
  at: string;
}

/** Makes a signed checkpoint of the chain head. */
export function makeCheckpoint(identity: NodeIdentity, member: string, head: { last_id: number; last_hash: string }, at = new Date()): Envelope {
  const c: Checkpoint = { format: FORMAT, version: 1, member, entry: head.last_id, hash: head.last_hash, at: at.toISOString() };
  return seal(identity, c);
}

/** Checks an envelope's signature against `publicKey` and its payload's form; throws VALIDATION with the reason. */
export function openCheckpoint(raw: unknown, publicKey: string): Checkpoint {
  let c: Partial<Checkpoint>;
  try {
    c = open(raw, publicKey) as Partial<Checkpoint>;
  } catch (err) {
    throw new AllianceError('VALIDATION', `not a checkpoint signed by ${publicKey.slice(0, 20)}…: ${(err as Error).message}`);
  }
  if (
    c?.format !== FORMAT ||
    c.version !== 1 ||
    typeof c.member !== 'string' ||
    !Number.isSafeInteger(c.entry) ||
    (c.entry as number) < 1 ||
    typeof c.hash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(c.hash) ||
    typeof c.at !== 'string'
  ) {
    throw new AllianceError('VALIDATION', 'the signed payload is not an audit checkpoint (format, version, member, entry, hash, at)');
  }
  return c as Checkpoint;
}

export interface CheckpointLine {
  line: number;
  envelope: Envelope;
}

/** The append-only checkpoint file of a data directory. */
export class CheckpointFile {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, CHECKPOINT_FILE);
  }

  /** Appends one envelope as a line and waits for the disk. */
  append(envelope: Envelope): void {
    const fd = openSync(this.path, 'a', FILE_MODE);
    try {
      writeSync(fd, `${JSON.stringify(envelope)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Every line, parsed. A last line cut short (a crash while appending) is ignored; a line that is
   * not JSON anywhere else is an error, since nothing but appending writes this file.
   */
  read(): CheckpointLine[] {
    return parseCheckpointLines(existsSync(this.path) ? readFileSync(this.path, 'utf8') : '');
  }
}

/** Parses the lines of a checkpoint file (see CheckpointFile.read). */
export function parseCheckpointLines(text: string): CheckpointLine[] {
  const lines = text.split('\n');
  const complete = text.endsWith('\n') || text === '';
  const out: CheckpointLine[] = [];
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    try {
      out.push({ line: i + 1, envelope: JSON.parse(l) as Envelope });
    } catch {
      if (i === lines.length - 1 && !complete) return; // torn by a crash while appending
      throw new AllianceError('VALIDATION', `checkpoint file line ${i + 1} is not JSON: the file was edited`);
    }
  });
  return out;
}

/**
 * Checks every line of a checkpoint file with a public key alone (no node, no database): each is
 * signed by that key, and no two name different hashes for one entry (two histories signed).
 * Lines need not be in entry order (two processes may append at once). Returns the checkpoints,
 * or throws naming the line.
 */
export function checkCheckpointLines(lines: CheckpointLine[], publicKey: string): Checkpoint[] {
  const out: Checkpoint[] = [];
  const byEntry = new Map<number, { hash: string; line: number }>();
  for (const { line, envelope } of lines) {
    let c: Checkpoint;
    try {
      c = openCheckpoint(envelope, publicKey);
    } catch (err) {
      throw new AllianceError('VALIDATION', `checkpoint file line ${line}: ${(err as Error).message}`);
    }
    const seen = byEntry.get(c.entry);
    if (seen && seen.hash !== c.hash)
      throw new AllianceError(
        'VALIDATION',
        `checkpoint file line ${line}: entry ${c.entry} has another hash than on line ${seen.line}: two histories were signed`,
      );
    byEntry.set(c.entry, { hash: c.hash, line });
    out.push(c);
  }
  return out;
}
