/**
 * Joint operations: open, list, show (per-country lines), import a target file, targets, attribute (an analyst's country);
 * lead packages (package, send, packages) and the inbox of received ones (inbox, acknowledge, accept, decline, assign, outcome).
 */
import { Command } from 'commander';
import { AllianceError } from '../../errors/catalogue.js';
import { fileChunks } from '../../exchange/index.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { type CountryLine, type InboxView, OUTCOMES, type PackageView, type Picture, type PictureLine } from '../../operations/index.js';
import { withNode } from '../node-command.js';

const idOf = (text: string) => {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id < 1) throw new AllianceError('VALIDATION', `"${text}" is not an operation id (alliance operation list)`);
  return id;
};

const collect = (v: string, all: string[]) => [...all, v];

function printPackages(ps: PackageView[]): void {
  for (const p of ps) {
    const outcomes = Object.values(p.outcomes).reduce((n, l) => n + l.length, 0);
    process.stdout.write(
      `${p.id}\t${p.uid}\t${p.country}\t${p.targets} targets\t${p.state}${p.peer ? ` → ${p.peer}` : ''}\t${p.status ?? '-'}\t${outcomes} outcomes${p.prior_uid ? `\tsupplements ${p.prior_uid}` : ''}${p.state === 'waiting' ? `\t${p.explanation}` : ''}${p.last_error ? `\tlast error: ${p.last_error}` : ''}\n`,
    );
  }
}

function printReceived(r: InboxView): void {
  process.stdout.write(
    `${r.id}\t${r.uid}\tfrom ${r.from}\t${r.operation?.name ?? ''}\t${r.targets.length} targets\t${r.state}${r.assignee ? `\tassigned to ${r.assignee}` : ''}\n`,
  );
}

const packageId = (text: string) => {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id < 1) throw new AllianceError('VALIDATION', `"${text}" is not a package number (alliance operation inbox)`);
  return id;
};

function printCountries(lines: CountryLine[]): void {
  process.stdout.write('country\ttargets\thigh\tmedium\tlow\tnone\toverridden\twith matches\tdeconflicted\theld\n');
  for (const l of lines)
    process.stdout.write(
      `${l.country ?? '(none)'}\t${l.targets}\t${l.confidence.high}\t${l.confidence.medium}\t${l.confidence.low}\t${l.confidence.none}\t${l.overridden}\t${l.with_matches}\t${l.deconflicted}\t${l.held}\n`,
    );
}

const known = (v: number | null, unit: string) => (v === null ? 'not known' : `${v} ${unit}`);

function printPicture(p: Picture): void {
  process.stdout.write(
    'country\tauthority\ttargets\theld\treferred\tacknowledged\taccepted\tdeclined\tarrested\tcharged\tconvicted\tvictims\tto acknowledge\tto first action\tto charge\n',
  );
  const row = (l: PictureLine, name: string) =>
    process.stdout.write(
      `${name}\t${l.authority ?? '-'}\t${l.targets}\t${l.held}\t${l.referred}\t${l.acknowledged}\t${l.accepted}\t${l.declined}\t${l.outcomes.arrested}\t${l.outcomes.charged}\t${l.outcomes.convicted}\t${l.victims_safeguarded}\t${known(l.median_hours_to_acknowledge, 'h')}\t${known(l.median_days_to_first_action, 'd')}\t${known(l.median_days_to_charge, 'd')}\n`,
    );
  for (const l of p.countries) row(l, l.country ?? '(none)');
  row(p.totals, 'total');
}

export function operationCommand(): Command {
  const op = new Command('operation').description(
    "Joint operations: an operation's targets imported in bulk, attributed to countries from their evidence, matched against the banks.",
  );
  op.command('open <name>')
    .description('Open an operation.')
    .requiredOption('--legal-basis <text>', 'the legal basis of the operation')
    .requiredOption('--agency <name>', 'the owner agency')
    .requiredOption('--contact <text>', 'the contact point for other authorities')
    .option('--starts <iso>', 'when it starts (ISO 8601)')
    .option('--ends <iso>', 'when it ends (ISO 8601)')
    .option('--notes <text>', 'restricted notes: kept on this node, never sent')
    .action(async (name: string, o: { legalBasis: string; agency: string; contact: string; starts?: string; ends?: string; notes?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const made = await node.operations.open(await node.operator(), {
          name,
          legal_basis: o.legalBasis,
          owner_agency: o.agency,
          contact_point: o.contact,
          starts_at: o.starts,
          ends_at: o.ends,
          notes: o.notes,
        });
        process.stdout.write(`operation ${made.id} (${made.uid}) opened: ${made.name}\n`);
      }),
    );
  op.command('list')
    .description('Operations with their number of targets.')
    .action(async (_o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        for (const o of await node.operations.list(await node.operator()))
          process.stdout.write(`${o.id}\t${o.name}\t${o.owner_agency}\t${o.targets} targets\topened ${o.created_at}\n`);
      }),
    );
  op.command('show <id>')
    .description('An operation and its targets per country (by confidence of the attribution).')
    .option('--json', 'as JSON')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const actor = await node.operator();
        const operation = await node.operations.get(actor, idOf(id));
        const countries = await node.operations.countries(actor, operation.id);
        if (o.json) return void process.stdout.write(`${JSON.stringify({ operation, countries }, null, 2)}\n`);
        process.stdout.write(
          `${operation.name} (${operation.uid}), ${operation.owner_agency}; contact ${operation.contact_point}\nlegal basis: ${operation.legal_basis}\n`,
        );
        printCountries(countries);
      }),
    );
  op.command('import <id> <file>')
    .description(
      'Import a target file (CSV with a header, JSON, or JSON lines; fields: ref, username, email, ip, account_country, payment_ref, device_id, hashes). All or nothing.',
    )
    .action(async (id: string, file: string, _o: unknown, cmd: Command) =>
      // the index is loaded: the targets' hashes are matched against the banks
      withNode(cmd, { loadIndex: true }, async (node) => {
        const done = await node.operations.importTargets(await node.operator(), idOf(id), () => fileChunks(file));
        process.stdout.write(`${done.imported} targets imported\n`);
        printCountries(done.countries);
      }),
    );
  op.command('targets <id>')
    .description("An operation's targets: ref, country, confidence, reasons, matched hashes.")
    .option('--country <code>', 'only those referred to this country (none: the unattributed)')
    .option('--status <status>', 'only those deconfliction holds (held), or held and released (released)')
    .option('--limit <n>', 'at most this many', '100')
    .option('--offset <n>', 'skip this many', '0')
    .option('--json', 'as JSON (with every identifier)')
    .action(async (id: string, o: { country?: string; status?: string; limit: string; offset: string; json?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const targets = await node.operations.targets(await node.operator(), idOf(id), {
          country: o.country === undefined ? undefined : o.country.toLowerCase() === 'none' ? null : o.country,
          status: o.status,
          limit: Number(o.limit),
          offset: Number(o.offset),
        });
        if (o.json) return void process.stdout.write(`${JSON.stringify({ targets }, null, 2)}\n`);
        for (const t of targets)
          process.stdout.write(
            `${t.ref}\t${t.country ?? '(none)'}\t${t.override ? 'overridden' : t.attributed.confidence}\t${t.attributed.reasons.map((r) => `${r.basis}:${r.country}`).join(' ') || '-'}\t${t.matched.length} of ${t.hashes} hashes matched\t${t.deconfliction === null ? 'not deconflicted' : t.deconfliction.held ? `HELD: ${t.deconfliction.overlaps.map((o) => `${o.other_case} (${o.other_contact})`).join(', ')}` : 'clear'}\n`,
          );
      }),
    );
  op.command('deconflict <id>')
    .description('Check the targets not checked yet against deconfliction (keyed hashes only); a target that meets another case is held until released.')
    .action(async (id: string, _o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const r = await node.operations.deconflict(await node.operator(), idOf(id));
        process.stdout.write(
          `${r.checked} targets checked, ${r.held} held by an overlap with another case (alliance operation targets ${id} --json shows whom to call)\n`,
        );
      }),
    );
  op.command('release <id> <ref>')
    .description('Release a held target for referral, having spoken to the other case, with the reason.')
    .requiredOption('--reason <text>', 'why it may be referred despite the overlap')
    .action(async (id: string, ref: string, o: { reason: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const t = await node.operations.release(await node.operator(), idOf(id), ref, o.reason);
        process.stdout.write(`${t.ref}: released (${t.deconfliction?.released?.reason ?? ''})\n`);
      }),
    );
  op.command('attribute <id> <ref> [country]')
    .description("Set a target's country by hand, with the reason; --clear goes back to the attributed one.")
    .option('--reason <text>', 'why (required when setting a country)')
    .option('--clear', 'remove the override')
    .action(async (id: string, ref: string, country: string | undefined, o: { reason?: string; clear?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        if (!o.clear && !country) throw new AllianceError('VALIDATION', 'give the country (ISO code), or --clear');
        const t = await node.operations.setCountry(await node.operator(), idOf(id), ref, o.clear ? null : country!, o.reason ?? null);
        process.stdout.write(`${t.ref}: ${t.country ?? '(none)'}${t.override ? ` (overridden: ${t.override.reason})` : ' (attributed)'}\n`);
      }),
    );
  op.command('package <id>')
    .description(
      'Build a signed lead package per receiving country (or those given) of the targets checked against deconfliction and not held; a country packaged before gets a supplement with the changed targets only. Never the restricted notes, never media.',
    )
    .option('--country <cc>', 'only this country (repeatable)', collect, [])
    .option('--contact-from <date>', 'handling: no direct contact with the targets before this date')
    .option('--intelligence-only', 'handling: intelligence only')
    .option('--restriction <text>', 'a further handling restriction (repeatable)', collect, [])
    .action(async (id: string, o: { country: string[]; contactFrom?: string; intelligenceOnly?: boolean; restriction: string[] }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const built = await node.leads.build(await node.operator(), idOf(id), {
          countries: o.country.length ? o.country : undefined,
          handling: { no_contact_before: o.contactFrom ?? null, intelligence_only: Boolean(o.intelligenceOnly), restrictions: o.restriction },
        });
        printPackages(built.packages);
        for (const l of built.left_out)
          process.stdout.write(`${l.country}: ${l.unchecked} not checked against deconfliction (alliance operation deconflict), ${l.held} held: left out\n`);
        if (built.packages.length === 0) process.stdout.write('nothing new to package\n');
      }),
    );
  op.command('send <id>')
    .description(
      "Send the operation's packages not sent yet (or one, --package): delivered durably to each country's receiving authority; without one they wait.",
    )
    .option('--package <n>', 'only this package')
    .action(async (id: string, o: { package?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => printPackages(await node.leads.send(await node.operator(), idOf(id), o.package ? packageId(o.package) : undefined))),
    );
  op.command('packages <id>')
    .description("An operation's lead packages: where each went, its delivery, its receiver's status and outcomes.")
    .option('--json', 'as JSON (outcomes per target)')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const ps = await node.leads.packages(await node.operator(), idOf(id));
        if (o.json) process.stdout.write(`${JSON.stringify(ps, null, 2)}\n`);
        else printPackages(ps);
      }),
    );
  op.command('inbox')
    .description('Lead packages received from other authorities.')
    .option('--json', 'as JSON (targets, handling, outcomes)')
    .action(async (o: { json?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const rs = await node.leads.inbox(await node.operator());
        if (o.json) process.stdout.write(`${JSON.stringify(rs, null, 2)}\n`);
        else rs.forEach(printReceived);
      }),
    );
  for (const [name, what] of [
    ['acknowledge', 'Acknowledge a received package.'],
    ['accept', 'Accept a received package.'],
  ] as const)
    op.command(`${name} <package>`)
      .description(`${what} A signed status update goes back to its origin.`)
      .action(async (pkg: string, _o: unknown, cmd: Command) =>
        withNode(cmd, {}, async (node) => printReceived(await node.leads[name](await node.operator(), packageId(pkg)))),
      );
  op.command('decline <package>')
    .description('Decline a received package, with the reason.')
    .requiredOption('--reason <text>', 'why')
    .action(async (pkg: string, o: { reason: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => printReceived(await node.leads.decline(await node.operator(), packageId(pkg), o.reason))),
    );
  op.command('assign <package> <assignee>')
    .description('Assign a received package to a unit or officer.')
    .action(async (pkg: string, assignee: string, _o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => printReceived(await node.leads.assign(await node.operator(), packageId(pkg), assignee))),
    );
  op.command('forward <package> <country> <targets...>')
    .description(
      "Forward targets of a received package to a third country's receiving authority (re-referral): a new signed package keeping the chain; its outcomes come back here and are relayed to the origin.",
    )
    .action(async (pkg: string, country: string, refs: string[], _o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const r = await node.leads.forward(await node.operator(), packageId(pkg), { targets: refs, country });
        printReceived(r);
        for (const f of r.forwards)
          process.stdout.write(`  forwarded: ${f.uid}\t${f.country}\t${f.targets} targets\t${f.state} → ${f.peer}\t${f.status ?? '-'}\n`);
      }),
    );
  op.command('outcome <package> <target> <outcome>')
    .description(`Record an outcome for a target of an accepted package: ${OUTCOMES.join(', ')}.`)
    .option('--count <n>', 'victims safeguarded: how many (a count, no names)')
    .option('--series <uid>', 'a series the outcome is linked to (repeatable)', collect, [])
    .option('--at <iso>', 'when (default: now)')
    .action(async (pkg: string, target: string, outcome: string, o: { count?: string; series: string[]; at?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) =>
        printReceived(
          await node.leads.outcome(await node.operator(), packageId(pkg), {
            target,
            outcome,
            count: o.count === undefined ? null : Number(o.count),
            series: o.series,
            at: o.at ?? null,
          }),
        ),
      ),
    );
  op.command('picture <id>')
    .description(
      "The operation's picture per receiving country: targets referred, acknowledged, accepted, outcomes, victims safeguarded, median times from referral.",
    )
    .option('--json', 'as JSON (with the timeline)')
    .option('--csv', 'as CSV (RFC 4180)')
    .option('--pdf <file>', "write the PDF summary to FILE and its detached signature (this node's federation key) to FILE.sig")
    .action(async (id: string, o: { json?: boolean; csv?: boolean; pdf?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const actor = await node.operator();
        if (o.pdf) {
          const { pdf, signature } = await node.pictures.pdf(actor, idOf(id));
          writeFileSync(o.pdf, pdf);
          writeFileSync(`${o.pdf}.sig`, `${JSON.stringify(signature, null, 2)}\n`);
          process.stdout.write(`${o.pdf}: ${pdf.length} bytes, signed by ${signature.signed_by} (key ${signature.fingerprint}); signature in ${o.pdf}.sig\n`);
        } else if (o.csv) process.stdout.write(await node.pictures.csv(actor, idOf(id)));
        else {
          const p = await node.pictures.picture(actor, idOf(id));
          if (o.json) process.stdout.write(`${JSON.stringify(p, null, 2)}\n`);
          else printPicture(p);
        }
      }),
    );
  op.command('verify-picture <pdf> <sig>')
    .description("Check a picture PDF against its detached signature (FILE.sig) and say whose key signed it: this node's or a registered peer's.")
    .action(async (pdfFile: string, sigFile: string, _o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        let sig: { signature: string; key: string; signed_by?: string };
        try {
          sig = JSON.parse(readFileSync(sigFile, 'utf8')) as typeof sig;
        } catch (err) {
          throw new AllianceError('VALIDATION', `${sigFile} is not a picture signature file (JSON): ${(err as Error).message}`);
        }
        const v = await node.pictures.verify(await node.operator(), readFileSync(pdfFile), sig);
        process.stdout.write(`${v.valid ? 'valid' : 'INVALID'}: ${v.reason}\n`);
        if (!v.valid || !v.signer) process.exitCode = 1;
      }),
    );
  return op;
}
