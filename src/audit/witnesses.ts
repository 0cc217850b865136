/**
 * Witnesses for audit checkpoints: a node sends each new signed checkpoint of its chain to the
 * peers named in ALLIANCE_AUDIT_WITNESSES, and each witness keeps the latest it saw for that
 * member. A witness refuses (and audits) a checkpoint that goes back from the one it kept, or names
 * another hash for the same entry: the sender's chain was rewritten. `audit verify` asks every
 * witness for what it kept and checks the chain against it too — the anchor an attacker holding
 * the node's own key cannot reach.
 */
import { AllianceError } from '../errors/catalogue.js';
import type { Envelope } from '../exchange/envelope.js';
import type { FederationService } from '../exchange/federation-service.js';
import { peerPrincipal } from '../members/principal.js';
import { keepWitnessedCheckpoint, witnessedCheckpoint } from '../store/audit-repo.js';
import type { Store } from '../store/database.js';
import type { AuditLog } from './audit-log.js';
import { openCheckpoint } from './checkpoints.js';

export const WITNESS_PATH = '/federation/v1/audit-checkpoints';

export class AuditWitnesses {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly federation: FederationService,
    /** Peers this node sends its checkpoints to. */
    readonly witnesses: readonly string[],
  ) {}

  /** As a witness: keeps a peer's checkpoint, or refuses one that contradicts what was kept. */
  async receive(peerName: string, raw: unknown): Promise<{ kept: boolean; entry: number }> {
    const peer = await this.federation.findPeer(peerName);
    let c;
    try {
      c = openCheckpoint(raw, peer.public_key);
    } catch (err) {
      throw new AllianceError('CHECKPOINT_INVALID', (err as Error).message);
    }
    if (c.member !== peerName) throw new AllianceError('CHECKPOINT_INVALID', `the checkpoint is of member "${c.member.slice(0, 100)}", not of the sender ${peerName}`);
    type Kept = NonNullable<Awaited<ReturnType<typeof witnessedCheckpoint>>>;
    const outcome = await this.store.db.transaction().execute(async (tx): Promise<{ conflict: Kept } | { kept: boolean; entry: number }> => {
      const kept = await witnessedCheckpoint(tx, peer.id);
      if (kept && (c.entry < kept.entry || (c.entry === kept.entry && c.hash !== kept.hash))) return { conflict: kept };
      if (kept && kept.entry === c.entry) return { kept: false, entry: c.entry };
      await keepWitnessedCheckpoint(tx, peer.id, { entry: c.entry, hash: c.hash, signed_at: c.at, envelope: JSON.stringify(raw) });
      return { kept: true, entry: c.entry };
    });
    if ('conflict' in outcome) {
      const kept = outcome.conflict;
      // Audited in its own transaction: the refusal must stay on record.
      await this.store.db.transaction().execute((tx) =>
        this.audit.record(tx, peerPrincipal(peerName, peer.member_id), 'audit.checkpoint_refused', peerName, { kept_entry: kept.entry, kept_hash: kept.hash, sent_entry: c.entry, sent_hash: c.hash }),
      );
      throw new AllianceError('CHECKPOINT_CONFLICT', `this witness kept entry ${kept.entry} (signed ${kept.signed_at}) for ${peerName}; entry ${c.entry} with hash ${c.hash.slice(0, 12)}… contradicts it`);
    }
    return outcome;
  }

  /** As a witness: the latest checkpoint kept for a peer (null before any). */
  async latestFor(peerName: string): Promise<{ checkpoint: Envelope | null }> {
    const peer = await this.federation.findPeer(peerName);
    const kept = await witnessedCheckpoint(this.store.db, peer.id);
    return { checkpoint: kept ? (JSON.parse(kept.envelope) as Envelope) : null };
  }

  /** Sends a checkpoint to every witness; returns the witnesses that refused or could not be reached. */
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

  /** What each witness kept of this node's chain (for `audit verify`); unreachable witnesses are listed. */
  async collect(): Promise<{ envelopes: Envelope[]; unreachable: Array<{ witness: string; error: string }> }> {
    const envelopes: Envelope[] = [];
    const unreachable: Array<{ witness: string; error: string }> = [];
    for (const w of this.witnesses) {
      try {
        const r = (await this.federation.getFromPeer(w, WITNESS_PATH)) as { checkpoint?: Envelope | null };
        if (r?.checkpoint) envelopes.push(r.checkpoint);
      } catch (err) {
        unreachable.push({ witness: w, error: (err as Error).message });
      }
    }
    return { envelopes, unreachable };
  }
}
