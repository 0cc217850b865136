/** Federation commands: identity, peer, publish, unpublish, subscribe, subscriptions, sync, opinion, bundle. */
import { Command } from 'commander';
import { subscriptionView } from '../../api/v1/federation.js';
import { fingerprint } from '../../exchange/index.js';
import { MEMBER_KINDS, type MemberKind } from '../../members/roles.js';
import { withNode } from '../node-command.js';
import { nonNegativeInt, oneOf, positiveInt } from '../options.js';

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function identityCommand(): Command {
  return new Command('identity').description("Print this node's member and public key (give them to peers).").action(async (_o: unknown, cmd: Command) =>
    withNode(cmd, {}, async (node) => {
      const f = node.federation;
      process.stdout.write(
        `member      ${f.self.name}\ncountry     ${f.self.country ?? '-'}\nkind        ${f.self.kind}\npublic key  ${f.identity.publicKey}\nfingerprint ${f.identity.fingerprint}\n`,
      );
    }),
  );
}

export function peerCommand(): Command {
  const peer = new Command('peer').description("Other members' nodes this node exchanges with.");
  peer
    .command('add <name>')
    .description('Register a peer by its URL and public key (from its `alliance identity`).')
    .requiredOption('--url <url>', 'base URL of the peer node, e.g. https://node.example.org')
    .requiredOption('--key <key>', 'its public key, ed25519:…')
    .requiredOption('--kind <kind>', `one of ${MEMBER_KINDS.join(', ')}`, oneOf('--kind', MEMBER_KINDS))
    .option('--country <code>', 'ISO 3166-1 alpha-2 country code')
    .action(async (name: string, o: { url: string; key: string; kind: MemberKind; country?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const p = await node.federation.addPeer(await node.operator(), { name, url: o.url, publicKey: o.key, kind: o.kind, country: o.country ?? null });
        process.stdout.write(`peer ${p.name} added (${p.url})\n`);
      }),
    );
  peer
    .command('list')
    .description('List peers.')
    .action(async (_o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        for (const p of await node.federation.listPeers(await node.operator()))
          process.stdout.write(`${p.name}\t${p.kind}\t${p.country ?? '-'}\t${p.url}\t${p.public_key}\n`);
      }),
    );
  peer
    .command('update <name>')
    .description(
      "Change a peer's URL, or rotate its key (the new key from its operator, compared out of band). Earlier country reports stay verified with the key they were signed with.",
    )
    .option('--url <url>', 'its new base URL')
    .option('--key <key>', 'its new public key, ed25519:…')
    .action(async (name: string, o: { url?: string; key?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const p = await node.federation.updatePeer(await node.operator(), name, { url: o.url, publicKey: o.key });
        process.stdout.write(`peer ${p.name} updated (${p.url}, key ${fingerprint(p.public_key)})\n`);
      }),
    );
  peer
    .command('keys <name>')
    .description('The keys a peer has had, with when each was valid (what received country reports are verified with).')
    .action(async (name: string, _o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        for (const k of await node.federation.keyHistory(await node.operator(), name)) {
          process.stdout.write(
            `${fingerprint(k.public_key)}\t${new Date(k.valid_from).toISOString()}\t${k.valid_to === null ? 'current' : new Date(k.valid_to).toISOString()}\t${k.public_key}\n`,
          );
        }
      }),
    );
  peer
    .command('remove <name>')
    .description('Forget a peer (its subscriptions go with it).')
    .action(async (name: string, _o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        await node.federation.removePeer(await node.operator(), name);
        process.stdout.write(`peer ${name} removed\n`);
      }),
    );
  return peer;
}

export function publishCommand(): Command {
  return new Command('publish')
    .description('Offer a bank to peers under a sharing agreement (run again to change it).')
    .argument('<bank>')
    .option('--members <names>', 'recipient members, comma-separated')
    .option('--countries <codes>', 'recipient countries, comma-separated')
    .option('--kinds <kinds>', `recipient kinds of member (${MEMBER_KINDS.join(', ')})`)
    .option('--domestic <statuses>', 'legal statuses that may go to recipients in this country', 'baseline,national,unknown')
    .option('--abroad <statuses>', 'legal statuses that may go abroad', 'baseline')
    .addHelpText(
      'after',
      '\nLegal statuses: baseline, national, not_illegal, unknown.\nExample: alliance publish KNOWN --countries DE,FR --kinds authority --abroad baseline',
    )
    .action(async (bank: string, o: { members?: string; countries?: string; kinds?: string; domestic: string; abroad: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const a = await node.federation.publish(await node.operator(), bank, {
          recipients: { members: list(o.members ?? ''), countries: list(o.countries ?? ''), kinds: list(o.kinds ?? '') },
          domestic: list(o.domestic),
          abroad: list(o.abroad),
        });
        process.stdout.write(
          `bank ${bank} published to ${JSON.stringify(a.recipients)}; domestic ${a.domestic.join(',')}; abroad ${a.abroad.join(',') || 'nothing'}\n`,
        );
      }),
    );
}

export function unpublishCommand(): Command {
  return new Command('unpublish')
    .description('Stop offering a bank to peers.')
    .argument('<bank>')
    .action(async (bank: string, _o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        await node.federation.unpublish(await node.operator(), bank);
        process.stdout.write(`bank ${bank} unpublished\n`);
      }),
    );
}

export function subscribeCommand(): Command {
  return new Command('subscribe')
    .description("Receive a peer's published bank into a local bank (kept in sync).")
    .argument('<peer>')
    .argument('<bank>', 'the bank name at the peer')
    .option('--into <name>', 'local bank (default <PEER>_<BANK>)')
    .action(async (peer: string, bank: string, o: { into?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const s = await node.federation.subscribe(await node.operator(), peer, bank, o.into);
        process.stdout.write(`subscription ${s.id}: ${peer}/${bank} into ${s.bank}\n`);
      }),
    );
}

export function subscriptionsCommand(): Command {
  return new Command('subscriptions')
    .description('Subscriptions and their sync status.')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const subs = (await node.federation.subscriptions(await node.operator())).map(subscriptionView);
        if (o.json) return void process.stdout.write(`${JSON.stringify(subs, null, 2)}\n`);
        for (const s of subs) {
          process.stdout.write(
            `${s.id}\t${s.peer}/${s.remote_bank} → ${s.bank}\tat ${s.checkpoint}, lag ${s.lag ?? '?'}\t${s.items_received} received\tlast success ${s.last_success_at ?? 'never'}${s.last_error ? `\tERROR ${s.last_error}${s.last_error_code ? ` [${s.last_error_code}]` : ''}${s.last_error_code === 'PEER_REFUSED' ? ' (not retried on the schedule: run alliance sync once it is fixed)' : ''}` : ''}\n`,
          );
        }
      }),
    );
}

export function syncCommand(): Command {
  return new Command('sync')
    .description('Pull every subscription (of one peer) up to date now. Exit 1 if any failed.')
    .argument('[peer]')
    .action(async (peer: string | undefined, _o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const reports = await node.federation.syncAll(peer);
        for (const r of reports) {
          process.stdout.write(
            `subscription ${r.subscription}: ${r.pages} pages, +${r.added} ~${r.updated} -${r.deleted}, at ${r.checkpoint}${r.error ? `, ERROR ${r.error}${r.error_code ? ` [${r.error_code}]` : ''}` : ''}\n`,
          );
        }
        process.exitCode = reports.some((r) => r.error) ? 1 : 0;
      }),
    );
}

export function opinionCommand(): Command {
  return new Command('opinion')
    .description('Send a verdict on received content back to its origin.')
    .argument('<content-id>', 'the received content (a local id)', positiveInt('<content-id>'))
    .argument('<opinion>', 'confirmed, false_positive or disputed')
    .option('--reason <text>', 'why')
    .action(async (id: number, opinion: string, o: { reason?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const r = await node.federation.sendOpinion(await node.operator(), id, opinion, o.reason ?? null);
        process.stdout.write(`opinion ${opinion} on ${r.uid} sent to ${r.sent_to}\n`);
      }),
    );
}

export function bundleCommand(): Command {
  const bundle = new Command('bundle').description('Exchange a published bank as a signed file, for members that cannot connect (air-gapped labs).');
  bundle
    .command('export')
    .description("Write the feed pages of a published bank for one peer, signed with this node's key.")
    .argument('<bank>', 'the published bank')
    .requiredOption('--to <peer>', 'the registered peer the bundle is for (the sharing agreement applies)')
    .requiredOption('--out <file>', 'the bundle file (replaced only once complete)')
    .option('--since <position>', "start after this feed position (the recipient's checkpoint, for an incremental bundle)", nonNegativeInt('--since'), 0)
    .addHelpText('after', '\nExample:\n  alliance bundle export NL_KNOWN --to lab-de --out nl-known.bundle')
    .action(async (bank: string, o: { to: string; out: string; since: number }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const r = await node.federation.exportBundle(await node.operator(), bank, o.to, o.out, o.since);
        process.stdout.write(`wrote ${r.pages} signed pages (${r.entries} changes, positions ${o.since}…${r.to}) of ${bank} for ${o.to} to ${o.out}\n`);
      }),
    );
  bundle
    .command('import')
    .description('Verify and apply a bundle from a registered peer (every page checked as a sync checks it).')
    .argument('<file>', 'the bundle file')
    .requiredOption('--from <peer>', 'the registered peer that signed it')
    .option('--bank <name>', 'the local bank to apply it to on first import (default: PEER_BANK)')
    .addHelpText(
      'after',
      '\nImporting the same or an overlapping bundle again applies each change once.\nExample:\n  alliance bundle import nl-known.bundle --from hotline-nl',
    )
    .action(async (file: string, o: { from: string; bank?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const r = await node.federation.importBundle(await node.operator(), file, o.from, o.bank);
        process.stdout.write(`applied ${r.pages} pages into ${r.bank}: +${r.added} ~${r.updated} -${r.deleted}, now at position ${r.checkpoint}\n`);
      }),
    );
  return bundle;
}
