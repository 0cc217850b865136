/**
 * Roles and what each may do. Least privilege: a matcher can look things up but not change
 * banks; a curator changes only its own member's banks; an auditor reads the audit log; only
 * admins manage members and tokens or touch other members' banks.
 */
export const ROLES = ['admin', 'curator', 'matcher', 'analyst', 'auditor', 'checker'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'hash', // compute hashes of uploads
  'lookup', // match hashes or uploads against banks
  'banks.read', // list banks, read content and signals
  'banks.write', // create/change/delete banks and their content (own member's, or any for admin)
  'index.read', // index status
  'members.manage', // members and tokens
  'audit.read', // read and verify the audit log
  'federation.manage', // peers, publications, subscriptions
  'opinions.send', // verdicts on signals, sent back to their origin
  'submit', // submit a platform's content (hashes and context) for matching and actions
  'reviews.decide', // see the review queue, reveal media, confirm or reject
  'actions.manage', // action rules, webhooks and their deliveries
  'reports', // incident reports (made here and received), takedown notices, hosting providers
  'reports.submit', // submit finished incident reports to the CyberTipline (and retract them before they are finished)
  'cases', // series, victims (pseudonymous), support services and referrals
  'indicators.read', // the indicators of the four targets, country reports, the dashboards (aggregates only)
  'reporting.manage', // manual entries, campaigns, the MNR self-assessment; build, sign and submit country reports
  'awareness.manage', // the help directory and the awareness messages (write, review)
  'check', // the check API: is this search text or upload hash listed, which message and help to show
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  curator: ['hash', 'lookup', 'banks.read', 'banks.write', 'index.read', 'opinions.send', 'awareness.manage', 'check'],
  matcher: ['hash', 'lookup', 'index.read', 'submit', 'check'],
  analyst: ['hash', 'lookup', 'banks.read', 'index.read', 'opinions.send', 'submit', 'reviews.decide', 'reports', 'reports.submit', 'cases', 'indicators.read'],
  auditor: ['banks.read', 'index.read', 'audit.read', 'indicators.read'],
  // The only role to hand to a browser (the check SDK on a platform's page): anyone can copy it there.
  checker: ['check'],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** What a role may do, in PERMISSIONS' order (GET /whoami tells the web UI, which shows only the pages the role may use). */
export function permissionsOf(role: Role): Permission[] {
  return PERMISSIONS.filter((p) => can(role, p));
}

export const MEMBER_KINDS = ['authority', 'hotline', 'ngo', 'platform', 'secretariat'] as const;
export type MemberKind = (typeof MEMBER_KINDS)[number];
