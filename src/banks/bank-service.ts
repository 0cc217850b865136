/**
 * Banks, their content and signals: the curator's operations. Every write runs in one
 * transaction with its audit entry and its index change-log rows; once it commits, the node's
 * matcher catches up before the call returns, so a new signal matches in the very next lookup.
 * A curator writes only to its own member's banks; admins to any.
 */
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError } from '../errors/catalogue.js';
import { requirePermission, type Principal } from '../members/principal.js';
import { getSignalType } from '../signals/index.js';
import {
  type Bank,
  type BankContent,
  bankCounts,
  bulkInsertContents,
  deleteBank,
  deleteBankContents,
  deleteContent,
  deleteSignal,
  type DialectName,
  getBankById,
  getBankByName,
  getContent,
  getSignal,
  insertBank,
  insertContent,
  insertSignals,
  jsonColumn,
  listBanks,
  listContent,
  logFeed,
  type NewSignal,
  nextTurn,
  notify,
  parseJson,
  type Signal,
  signalsOfContent,
  type Store,
  type Tx,
  updateBank,
  updateContent,
} from '../store/index.js';
import { parseClassification, type Classification } from './classification.js';
import { checkBankName } from './names.js';

export const SIGNALS_CHANNEL = 'alliance_signal_changes';

/** `disabled_until` meaning "until re-enabled" (9999-12-31). */
export const DISABLED_FOREVER = 253402300799000;

export interface BankFields {
  name: string;
  kind?: 'positive' | 'negative';
  description?: string;
  matching_enabled?: boolean;
  enabled_ratio?: number;
  /** Owning member (admins only; default: the actor's member). */
  owner?: number;
}

export interface BankView {
  name: string;
  kind: 'positive' | 'negative';
  description: string;
  owner_member_id: number;
  matching_enabled: boolean;
  enabled_ratio: number;
  content_count: number;
  signal_counts: Record<string, number>;
  created_at: string;
  updated_at: string;
}

export interface ContentFields {
  signals: Array<{ signal_type: string; value: string; quality?: number | null }>;
  classification?: string | null;
  tags?: string[];
  note?: string | null;
  /** Submitter's metadata (a JSON object). */
  metadata?: Record<string, unknown> | null;
  source_member?: string | null;
  /** Epoch ms; null or absent = enabled. */
  disabled_until?: number | null;
}

export interface ContentView {
  id: number;
  bank: string;
  classification: Classification | null;
  tags: string[];
  note: string | null;
  metadata: Record<string, unknown> | null;
  source_member: string | null;
  first_seen: string;
  last_seen: string;
  disabled_until: string | null;
  enabled: boolean;
  signals: Array<{ id: number; signal_type: string; value: string; quality: number | null }>;
}

const iso = (ms: number) => new Date(ms).toISOString();

function checkRatio(r: number | undefined): void {
  if (r !== undefined && !(Number.isFinite(r) && r >= 0 && r <= 1)) throw new AllianceError('VALIDATION', 'enabled_ratio must be a number from 0 to 1');
}

function checkTags(tags: unknown): string[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t.length === 0 || t.length > 100) || tags.length > 100) {
    throw new AllianceError('VALIDATION', 'tags must be a list of at most 100 non-empty strings of at most 100 characters');
  }
  return [...new Set(tags as string[])];
}

export class BankService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    /** Called after a commit that changed signals (the matcher catches up). */
    private readonly onSignalsChanged: () => Promise<unknown>,
  ) {}

  private assertOwner(actor: Principal, bank: Bank): void {
    requirePermission(actor, 'banks.write');
    if (actor.role !== 'admin' && bank.owner_member_id !== actor.memberId) {
      throw new AllianceError('FORBIDDEN', `bank ${bank.name} belongs to another member; only its owner or an admin may change it`);
    }
  }

  private async signalsWrite<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const out = await this.store.db.transaction().execute(async (tx) => {
      const r = await work(tx);
      await notify(tx, this.store.dialect, SIGNALS_CHANNEL, '');
      return r;
    });
    await this.onSignalsChanged();
    return out;
  }

  async createBank(actor: Principal, f: BankFields): Promise<BankView> {
    requirePermission(actor, 'banks.write');
    checkBankName(f.name);
    checkRatio(f.enabled_ratio);
    if (f.kind !== undefined && f.kind !== 'positive' && f.kind !== 'negative') throw new AllianceError('VALIDATION', 'kind must be positive or negative');
    if (f.owner !== undefined && actor.role !== 'admin') throw new AllianceError('FORBIDDEN', 'only admins create banks for another member');
    const owner = f.owner ?? actor.memberId;
    if (owner === null) throw new AllianceError('VALIDATION', 'a bank needs an owning member');
    const bank = await this.store.db.transaction().execute(async (tx) => {
      const b = await insertBank(tx, {
        name: f.name,
        owner_member_id: owner,
        kind: f.kind ?? 'positive',
        description: f.description ?? '',
        matching_enabled: f.matching_enabled ?? true,
        enabled_ratio: f.enabled_ratio ?? 1,
      });
      await this.audit.record(tx, actor, 'bank.create', b.name, { kind: b.kind });
      return b;
    });
    return this.view(bank);
  }

  /** Throws unless `actor` may write to the bank (before queueing work for it). */
  async checkWritable(actor: Principal, bankName: string): Promise<void> {
    this.assertOwner(actor, await getBankByName(this.store.db, bankName));
  }

  async listBanks(actor: Principal): Promise<BankView[]> {
    requirePermission(actor, 'banks.read');
    const [banks, counts] = await Promise.all([listBanks(this.store.db), bankCounts(this.store.db)]);
    return banks.map((b) => this.toView(b, counts.get(b.id)));
  }

  async getBank(actor: Principal, name: string): Promise<BankView> {
    requirePermission(actor, 'banks.read');
    return this.view(await getBankByName(this.store.db, name));
  }

  private async view(bank: Bank): Promise<BankView> {
    return this.toView(bank, (await bankCounts(this.store.db)).get(bank.id));
  }

  private toView(b: Bank, counts?: { content: number; signals: Record<string, number> }): BankView {
    return {
      name: b.name,
      kind: b.kind === 'negative' ? 'negative' : 'positive',
      description: b.description,
      owner_member_id: b.owner_member_id,
      matching_enabled: Boolean(b.matching_enabled),
      enabled_ratio: b.enabled_ratio,
      content_count: counts?.content ?? 0,
      signal_counts: counts?.signals ?? {},
      created_at: iso(b.created_at),
      updated_at: iso(b.updated_at),
    };
  }

  /** Renames and/or changes a bank's settings. */
  async updateBank(actor: Principal, name: string, f: Partial<Omit<BankFields, 'owner' | 'kind'>>): Promise<BankView> {
    checkRatio(f.enabled_ratio);
    if (f.name !== undefined) checkBankName(f.name);
    const updated = await this.store.db.transaction().execute(async (tx) => {
      const bank = await getBankByName(tx, name);
      this.assertOwner(actor, bank);
      const b = await updateBank(tx, bank.id, {
        ...(f.name !== undefined ? { name: f.name } : {}),
        ...(f.description !== undefined ? { description: f.description } : {}),
        ...(f.matching_enabled !== undefined ? { matching_enabled: f.matching_enabled ? 1 : 0 } : {}),
        ...(f.enabled_ratio !== undefined ? { enabled_ratio: f.enabled_ratio } : {}),
      });
      await this.audit.record(tx, actor, 'bank.update', name, { ...f });
      return b;
    });
    return this.view(updated);
  }

  async deleteBank(actor: Principal, name: string): Promise<{ signals_removed: number }> {
    const removed = await this.signalsWrite(async (tx) => {
      const bank = await getBankByName(tx, name);
      this.assertOwner(actor, bank);
      const n = await deleteBankContents(tx, bank.id);
      await deleteBank(tx, bank.id);
      await this.audit.record(tx, actor, 'bank.delete', name, { signals_removed: n });
      return n;
    });
    return { signals_removed: removed };
  }

  /** Validates signals: known type, canonical value. */
  private checkSignals(signals: ContentFields['signals']): NewSignal[] {
    if (!Array.isArray(signals) || signals.length === 0) throw new AllianceError('VALIDATION', 'content needs at least one signal');
    if (signals.length > 100) throw new AllianceError('VALIDATION', 'at most 100 signals per content');
    return signals.map((s) => {
      const type = getSignalType(String(s.signal_type));
      return { signal_type: type.name, value: type.normalize(String(s.value)), quality: s.quality ?? null };
    });
  }

  async addContent(actor: Principal, bankName: string, f: ContentFields): Promise<ContentView> {
    const signals = this.checkSignals(f.signals);
    const classification = f.classification ? JSON.stringify(parseClassification(f.classification)) : null;
    const tags = checkTags(f.tags);
    const id = await this.signalsWrite(async (tx) => {
      const bank = await getBankByName(tx, bankName);
      this.assertOwner(actor, bank);
      const c = await insertContent(tx, {
        bank_id: bank.id,
        classification,
        tags,
        note: f.note ?? null,
        metadata: f.metadata ?? null,
        source_member: f.source_member ?? actor.memberName,
        disabled_until: f.disabled_until ?? null,
      });
      const rows = await insertSignals(tx, c.id, bank.id, signals);
      await logFeed(tx, bank.id, [c.id], 'upsert');
      await this.audit.record(tx, actor, 'content.create', `${bank.name}/${c.id}`, { signals: rows.map((r) => ({ id: r.id, type: r.signal_type })) });
      return c.id;
    });
    return this.getContent(actor, id);
  }

  async getContent(actor: Principal, id: number): Promise<ContentView> {
    requirePermission(actor, 'banks.read');
    const content = await getContent(this.store.db, id);
    const [signals, bankRow] = await Promise.all([signalsOfContent(this.store.db, [id]), getBankById(this.store.db, content.bank_id)]);
    return this.contentView(content, bankRow.name, signals);
  }

  /** A bank's content a page at a time; `hash` keeps content with a signal of that value, `tag` content with that tag. */
  async listContent(actor: Principal, bankName: string, opts: { limit?: number; afterId?: number; hash?: string; tag?: string } = {}): Promise<ContentView[]> {
    requirePermission(actor, 'banks.read');
    const bank = await getBankByName(this.store.db, bankName);
    const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
    const hash = opts.hash?.trim() || undefined;
    const tag = opts.tag?.trim() || undefined;
    const contents = await listContent(this.store.db, bank.id, { limit, afterId: opts.afterId, hash, tag });
    const signals = await signalsOfContent(
      this.store.db,
      contents.map((c) => c.id),
    );
    return contents.map((c) =>
      this.contentView(
        c,
        bank.name,
        signals.filter((s) => s.content_id === c.id),
      ),
    );
  }

  private contentView(c: BankContent, bank: string, signals: Signal[]): ContentView {
    return {
      id: c.id,
      bank,
      classification: parseJson<Classification | null>(c.classification, null),
      tags: parseJson<string[]>(c.tags, []),
      note: c.note,
      metadata: parseJson<Record<string, unknown> | null>(c.metadata, null),
      source_member: c.source_member,
      first_seen: iso(c.first_seen),
      last_seen: iso(c.last_seen),
      disabled_until: c.disabled_until === null ? null : iso(c.disabled_until),
      enabled: c.disabled_until === null || c.disabled_until <= Date.now(),
      signals: signals.map((s) => ({ id: s.id, signal_type: s.signal_type, value: s.value, quality: s.quality })),
    };
  }

  /** Changes a content's classification, tags, note or disabled_until. */
  async updateContent(actor: Principal, id: number, f: Partial<Omit<ContentFields, 'signals' | 'source_member'>>): Promise<ContentView> {
    const classification =
      f.classification === undefined ? undefined : f.classification === null ? null : JSON.stringify(parseClassification(f.classification));
    const tags = f.tags === undefined ? undefined : checkTags(f.tags);
    if (f.disabled_until !== undefined && f.disabled_until !== null && !Number.isFinite(f.disabled_until))
      throw new AllianceError('VALIDATION', 'disabled_until must be epoch milliseconds or null');
    await this.store.db.transaction().execute(async (tx) => {
      const content = await getContent(tx, id);
      const bank = await getBankById(tx, content.bank_id);
      this.assertOwner(actor, bank);
      await updateContent(tx, id, {
        ...(classification !== undefined ? { classification } : {}),
        ...(tags !== undefined ? { tags: JSON.stringify(tags) } : {}),
        ...(f.note !== undefined ? { note: f.note } : {}),
        ...(f.metadata !== undefined ? { metadata: f.metadata === null ? null : jsonColumn(f.metadata, 'metadata') } : {}),
        ...(f.disabled_until !== undefined ? { disabled_until: f.disabled_until } : {}),
      });
      await logFeed(tx, bank.id, [id], 'upsert');
      await this.audit.record(tx, actor, 'content.update', `${bank.name}/${id}`, { ...f });
    });
    return this.getContent(actor, id);
  }

  async deleteContent(actor: Principal, id: number): Promise<{ signals_removed: number }> {
    const removed = await this.signalsWrite(async (tx) => {
      const content = await getContent(tx, id);
      const bank = await getBankById(tx, content.bank_id);
      this.assertOwner(actor, bank);
      const n = await deleteContent(tx, id);
      await logFeed(tx, bank.id, [id], 'delete', new Map([[id, content.uid]]));
      await this.audit.record(tx, actor, 'content.delete', `${bank.name}/${id}`, { signals_removed: n });
      return n;
    });
    return { signals_removed: removed };
  }

  async deleteSignal(actor: Principal, id: number): Promise<void> {
    await this.signalsWrite(async (tx) => {
      const s = await getSignal(tx, id);
      const bank = await getBankById(tx, s.bank_id);
      this.assertOwner(actor, bank);
      await deleteSignal(tx, id);
      await logFeed(tx, bank.id, [s.content_id], 'upsert');
      await this.audit.record(tx, actor, 'signal.delete', `${bank.name}/${s.content_id}/${id}`, { signal_type: s.signal_type });
    });
  }

  /**
   * Runs a bulk change of a bank the actor may write (file imports) in one transaction, audited
   * first; the matchers catch up after the commit. Anything thrown rolls all of it back.
   */
  async bulkWrite<T>(
    actor: Principal,
    bankName: string,
    action: string,
    details: Record<string, unknown>,
    work: (tx: Tx, bank: Bank, dialect: DialectName) => Promise<T>,
  ): Promise<T> {
    return this.signalsWrite(async (tx) => {
      const bank = await getBankByName(tx, bankName);
      this.assertOwner(actor, bank);
      await this.audit.record(tx, actor, action, bank.name, details);
      return work(tx, bank, this.store.dialect);
    });
  }

  /**
   * Adds many contents in one transaction (imports): all or nothing. `within` runs last in that
   * transaction (a job marking itself done with its effects). Returns the content ids.
   */
  async importContents(
    actor: Principal,
    bankName: string,
    items: ContentFields[],
    source: string,
    within?: (tx: Tx, ids: number[]) => Promise<void>,
  ): Promise<number[]> {
    const prepared: Array<{ signals: NewSignal[]; classification: string | null; tags: string[]; note: string | null }> = [];
    for (const [i, f] of items.entries()) {
      // Checked in slices between turns of the event loop: a million items would hold HTTP for seconds.
      if (i > 0 && i % 5000 === 0) await nextTurn();
      try {
        prepared.push({
          signals: this.checkSignals(f.signals),
          classification: f.classification ? JSON.stringify(parseClassification(f.classification)) : null,
          tags: checkTags(f.tags),
          note: f.note ?? null,
        });
      } catch (err) {
        throw new AllianceError('IMPORT_INVALID', `item ${i + 1}: ${(err as Error).message}`);
      }
    }
    return this.signalsWrite(async (tx) => {
      const bank = await getBankByName(tx, bankName);
      this.assertOwner(actor, bank);
      // The audit entry is written first: the transaction then holds the write lock for the bulk insert.
      await this.audit.record(tx, actor, 'content.import', bank.name, { source, contents: prepared.length }, prepared.length);
      const ids = await bulkInsertContents(
        tx,
        this.store.dialect,
        bank.id,
        prepared.map((p) => ({
          content: { classification: p.classification, tags: p.tags, note: p.note, source_member: actor.memberName, disabled_until: null },
          signals: p.signals,
        })),
      );
      await logFeed(tx, bank.id, ids, 'upsert');
      await within?.(tx, ids);
      return ids;
    });
  }
}
