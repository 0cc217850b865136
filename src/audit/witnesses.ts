/**
 * Witnesses for audit checkpoints: a node sends each new signed checkpoint of its chain to the
 * peers named in ALLIANCE_AUDIT_WITNESSES, and each witness keeps every one it accepted (the newest
 * 1,000, and one a day before them). Keeping them all matters: someone holding the node's data
 * directory can rewrite its chain and have the node sign a later head, but the checkpoints the
 * witness already holds still name the old hashes, and `audit verify` asks every witness for all it
 * kept and checks the chain against each. A witness refuses (and audits) a checkpoint that names
 * another hash for an entry it holds: two histories were signed.
 */
import { AllianceError } from '../errors/catalogue.js';
import type { Envelope, FederationService } from '../exchange/index.js';
import { dropWitnessedCheckpoints, keepWitnessedCheckpoint, type Store, witnessedAt, witnessedCheckpoints } from '../store/index.js';
import { openCheckpoint } from './checkpoints.js';
import { auditedAs } from './refusals.js';

export const WITNESS_PATH = '/federation/v1/audit-checkpoints';
/** Checkpoints a witness keeps in full per member; older ones are thinned to one a day. */
const KEEP_RECENT = 1000;

export class AuditWitnesses {
  constructor(
    private readonly store: Store,
    private readonly federation: FederationService,
    /** Peers this node sends its checkpoints to. */
    readonly witnesses: readonly string[],
  ) {}

  /** As a witness: keeps a peer's checkpoint, or refuses one that contradicts a kept one. */
  async receive(peerName: string, raw: unknown): Promise<{ kept: boolean; entry: number }> {
    const peer = await this.federation.findPeer(peerName);
    let c;
    try {
      c = openCheckpoint(raw, peer.public_key);
    } catch (err) {
      throw new AllianceError('CHECKPOINT_INVALID', (err as Error).message);
    }
    if (c.member !== peerName)
      throw new AllianceError('CHECKPOINT_INVALID', `the checkpoint is of member "${c.member.slice(0, 100)}", not of the sender ${peerName}`);
    const row = { entry: c.entry, hash: c.hash, signed_at: c.at, envelope: JSON.stringify(raw) };
    // The primary key (peer, entry) settles two senders of one entry: the second reads the first's.
    const kept = (await keepWitnessedCheckpoint(this.store.db, peer.id, row)) ? undefined : await witnessedAt(this.store.db, peer.id, c.entry);
    if (kept && kept.hash !== c.hash) {
      // Audited by the federation routes' refusal log (repeats coalesced), like every refusal.
      throw auditedAs(
        new AllianceError(
          'CHECKPOINT_CONFLICT',
          `this witness holds entry ${c.entry} of ${peerName} with another hash (signed ${kept.signed_at}); ${c.hash.slice(0, 12)}… contradicts it`,
        ),
        {
          action: 'audit.checkpoint_refused',
          target: peerName,
          detail: { entry: c.entry, kept_hash: kept.hash, sent_hash: c.hash },
        },
      );
    }
    if (kept) return { kept: false, entry: c.entry };
    await this.thin(peer.id);
    return { kept: true, entry: c.entry };
  }

  /** Keeps the newest KEEP_RECENT checkpoints of a peer, and the last of each UTC day before them. */
  private async thin(peerId: number): Promise<void> {
    const all = await witnessedCheckpoints(this.store.db, peerId);
    if (all.length <= KEEP_RECENT) return;
    const older = all.slice(0, all.length - KEEP_RECENT);
    const lastOfDay = new Map<string, number>();
    for (const c of older) lastOfDay.set(c.signed_at.slice(0, 10), c.entry);
    const keep = new Set(lastOfDay.values());
    await dropWitnessedCheckpoints(
      this.store.db,
      peerId,
      older.filter((c) => !keep.has(c.entry)).map((c) => c.entry),
    );
  }

  /** As a witness: every checkpoint kept for a peer, oldest first. */
  async keptFor(peerName: string): Promise<{ checkpoints: Envelope[] }> {
    const peer = await this.federation.findPeer(peerName);
    return { checkpoints: (await witnessedCheckpoints(this.store.db, peer.id)).map((c) => JSON.parse(c.envelope) as Envelope) };
  }

  /** Sends a checkpoint to every witness; returns the witnesses that refused it or could not be reached. */
  async publish(envelope: Envelope): Promise<Array<{ witness: string; error: string }>> {
    const failures: Array<{ witness: string; error: string }> = [];
    for (const w of this.witnesses) {
      try {
        await this.federation.postToPeer(w, WITNESS_PATH, envelope);
      } catch (err) {
        failures.push({ witness: w, error: (err as Error).message });
      }
    }
    return failures;
  }

  /** What each witness kept of this node's chain (for `audit verify`); witnesses that could not be asked are listed. */
  async collect(): Promise<{ envelopes: Array<{ witness: string; envelope: Envelope }>; unreachable: Array<{ witness: string; error: string }> }> {
    const envelopes: Array<{ witness: string; envelope: Envelope }> = [];
    const unreachable: Array<{ witness: string; error: string }> = [];
    for (const w of this.witnesses) {
      try {
        const r = (await this.federation.getFromPeer(w, WITNESS_PATH)) as { checkpoints?: unknown };
        if (!Array.isArray(r?.checkpoints)) throw new Error('the answer holds no list of checkpoints');
        for (const envelope of r.checkpoints as Envelope[]) envelopes.push({ witness: w, envelope });
      } catch (err) {
        unreachable.push({ witness: w, error: (err as Error).message });
      }
    }
    return { envelopes, unreachable };
  }
}
