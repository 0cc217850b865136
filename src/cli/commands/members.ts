/** `alliance member …` and `alliance token …`: who may use the node, with which role. */
import { Command } from 'commander';
import { MEMBER_KINDS, ROLES, type MemberKind } from '../../members/roles.js';
import { withNode } from '../node-command.js';
import { oneOf, positiveInt } from '../options.js';

export function memberCommand(): Command {
  const member = new Command('member').description('Members of the alliance known to this node.');
  member
    .command('create <name>')
    .description('Register a member (authority, hotline, NGO, platform or secretariat).')
    .requiredOption('--kind <kind>', `one of ${MEMBER_KINDS.join(', ')}`, oneOf('--kind', MEMBER_KINDS))
    .option('--country <code>', 'ISO 3166-1 alpha-2 country code, e.g. DE')
    .action(async (name: string, opts: { kind: MemberKind; country?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const m = await node.members.createMember(await node.operator(), { name, kind: opts.kind, country: opts.country ?? null });
        process.stdout.write(`member ${m.name} (${m.kind}${m.country ? `, ${m.country}` : ''}) created\n`);
      }),
    );
  member
    .command('update <name>')
    .description("Correct a member's kind or country (a peer's too, or this node's own: its identity follows). Audited.")
    .option('--kind <kind>', `one of ${MEMBER_KINDS.join(', ')}`, oneOf('--kind', MEMBER_KINDS))
    .option('--country <code>', 'ISO 3166-1 alpha-2 country code; "-" for none')
    .addHelpText('after', '\nExample:\n  alliance member update hotline-nl --kind hotline --country NL')
    .action(async (name: string, opts: { kind?: MemberKind; country?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const m = await node.members.updateMember(await node.operator(), name, { kind: opts.kind, country: opts.country === '-' ? null : opts.country });
        process.stdout.write(`member ${m.name}: ${m.kind}${m.country ? `, ${m.country}` : ', no country'}\n`);
      }),
    );
  member
    .command('list')
    .description('List members.')
    .action(async (_opts: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        for (const m of await node.members.listMembers()) process.stdout.write(`${m.name}\t${m.kind}\t${m.country ?? '-'}\n`);
      }),
    );
  return member;
}

export function tokenCommand(): Command {
  const token = new Command('token').description('API tokens (stored hashed; shown once when created).');
  token
    .command('create')
    .description('Create a token for a member with a role; prints the token once.')
    .requiredOption('--member <name>', 'the member the token acts for')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, oneOf('--role', ROLES))
    .option('--label <text>', 'what the token is for', '')
    .action(async (opts: { member: string; role: string; label: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const { token: t, record } = await node.members.createToken(await node.operator(), opts.member, opts.role, opts.label);
        process.stderr.write(`token ${record.id} for ${opts.member} (${record.role}); it is shown only now:\n`);
        process.stdout.write(`${t}\n`);
      }),
    );
  token
    .command('list')
    .description('List tokens (prefixes only).')
    .option('--member <name>', 'only this member')
    .action(async (opts: { member?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        for (const t of await node.members.listTokens(await node.operator(), opts.member)) {
          process.stdout.write(`${t.id}\t${t.prefix}…\t${t.role}\tmember ${t.member_id}\t${t.revoked_at ? 'revoked' : 'active'}\t${t.label}\n`);
        }
      }),
    );
  token
    .command('revoke')
    .description('Revoke a token at once.')
    .argument('<id>', 'the token id (see token list)', positiveInt('<id>'))
    .action(async (id: number, _opts: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        await node.members.revokeToken(await node.operator(), id);
        process.stdout.write(`token ${id} revoked\n`);
      }),
    );
  return token;
}
