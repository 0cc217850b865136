/**
 * Who this node is. The member chosen at the first start (ALLIANCE_MEMBER_NAME, _KIND, _COUNTRY) is
 * stored (`meta.node_member`) and used from then on, whatever the environment of later commands
 * says: `ALLIANCE_MEMBER_NAME=hotline-nl alliance identity` once, then `alliance bank create X`
 * without it still acts as hotline-nl. A later start that names another member is refused (member
 * names prefix every uid the node issued: they do not change); kind and country change with
 * `alliance member update`, and their values in the environment are then ignored, with a warning.
 */
import type { Config } from '../config/config.js';
import { AllianceError } from '../errors/catalogue.js';
import type { MemberKind } from '../members/roles.js';
import { compareAndSetMeta, getMeta, listMembers, type Store } from '../store/index.js';

export const NODE_MEMBER_META = 'node_member';

/** The node's identity: one object the services share, so a change of kind or country reaches them all. */
export interface NodeSelf {
  name: string;
  kind: MemberKind;
  country: string | null;
}

/**
 * The node's identity from the database, or from the configuration on a first start. Throws USAGE
 * when the configuration names another member than the stored one. `warning` says what in the
 * configuration was ignored.
 */
export async function resolveSelf(store: Store, config: Readonly<Config>): Promise<{ self: NodeSelf; stored: boolean; warning?: string }> {
  let name = await getMeta(store.db, NODE_MEMBER_META);
  const members = await listMembers(store.db);
  // A node set up before its identity was stored: its own member is the first one created.
  if (!name && members.length > 0) {
    const first = [...members].sort((a, b) => a.id - b.id)[0];
    name = (await compareAndSetMeta(store.db, NODE_MEMBER_META, undefined, first.name)) ? first.name : await getMeta(store.db, NODE_MEMBER_META);
  }
  const own = name ? members.find((m) => m.name === name) : undefined;
  if (!name || !own) return { self: { name: config.memberName, kind: config.memberKind, country: config.memberCountry }, stored: false };
  if (config.memberGiven.name && config.memberName !== name) {
    throw new AllianceError(
      'USAGE',
      `this node is member "${name}" (chosen at its first start); ALLIANCE_MEMBER_NAME (or --member) says "${config.memberName}": a node's member name does not change (it prefixes every uid it issued) — unset it, or use another data directory for another member`,
    );
  }
  const self: NodeSelf = { name, kind: own.kind as MemberKind, country: own.country };
  const ignored = [
    config.memberGiven.kind && config.memberKind !== self.kind ? `kind ${config.memberKind} (stored: ${self.kind})` : undefined,
    config.memberGiven.country && config.memberCountry !== self.country
      ? `country ${config.memberCountry ?? 'none'} (stored: ${self.country ?? 'none'})`
      : undefined,
  ].filter(Boolean);
  const warning = ignored.length
    ? `ignoring ${ignored.join(' and ')} from the environment: this node's identity is stored; change it with alliance member update ${name} --kind/--country`
    : undefined;
  return { self, stored: true, ...(warning ? { warning } : {}) };
}

/** Records the node's member after its first start created it. */
export async function storeSelf(store: Store, self: NodeSelf): Promise<void> {
  await compareAndSetMeta(store.db, NODE_MEMBER_META, undefined, self.name);
}
