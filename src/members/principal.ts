/** Who is acting: a member's token, or the node's own command line (an administrator). */
import { AllianceError } from '../errors/catalogue.js';
import { can, type Permission, type Role } from './roles.js';

export interface Principal {
  memberId: number | null;
  memberName: string;
  role: Role;
  tokenId: number | null;
  /** How the principal appears in the audit log. */
  actor: string;
}

/** The local operator running CLI commands against the node's own database. */
export function cliPrincipal(memberId: number | null, memberName = 'local'): Principal {
  return { memberId, memberName, role: 'admin', tokenId: null, actor: `cli:${memberName}` };
}

/** A peer node acting through a signed federation request (how it appears in the audit log). */
export function peerPrincipal(member: string, memberId: number | null = null, role: Principal['role'] = 'matcher'): Principal {
  return { memberId, memberName: member, role, tokenId: null, actor: `peer:${member}` };
}

/** Throws FORBIDDEN unless the principal's role grants `permission`. */
export function requirePermission(p: Principal, permission: Permission): void {
  if (!can(p.role, permission)) throw new AllianceError('FORBIDDEN', `role ${p.role} may not ${permission.replace('.', ' ')}`);
}
