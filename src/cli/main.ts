/**
 * The `alliance` command line. Every command accepts `--data DIR` (env ALLIANCE_DATA_DIR,
 * default ./data). Exit status: 0 success, 1 the work ran but some items failed (or, for
 * compare, no match), 2 usage errors and failures to start.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { toAllianceError } from '../errors/catalogue.js';
import { providerCommand, reportCommand, routingCommand, rulesCommand } from './commands/actions.js';
import { auditCommand } from './commands/audit.js';
import { bankCommand } from './commands/bank.js';
import { compareCommand } from './commands/compare.js';
import { exchangeCommand, sourcesCommand } from './commands/exchange.js';
import { operationCommand } from './commands/operation.js';
import {
  bundleCommand,
  identityCommand,
  opinionCommand,
  peerCommand,
  publishCommand,
  subscribeCommand,
  subscriptionsCommand,
  syncCommand,
  unpublishCommand,
} from './commands/federation.js';
import { hashCommand } from './commands/hash.js';
import { exportCommand, importCommand } from './commands/import.js';
import { lookupCommand } from './commands/lookup.js';
import { memberCommand, tokenCommand } from './commands/members.js';
import { serveCommand } from './commands/serve.js';
import { triageCommand } from './commands/triage.js';
import { typesCommand } from './commands/types.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Settings every command shares: usage errors become exceptions (so we choose exit code 2). */
function configure(cmd: Command): Command {
  cmd.exitOverride().showHelpAfterError('(run with --help for usage)');
  cmd.option('--data <dir>', 'data directory (env ALLIANCE_DATA_DIR)', process.env.ALLIANCE_DATA_DIR || './data');
  return cmd;
}

export function buildProgram(): Command {
  const program = configure(new Command('alliance'))
    .description('Alliance: hash, match, share and act on signals of known child sexual abuse material.')
    .version(pkg.version, '-V, --version');
  const commands = [
    serveCommand(),
    hashCommand(),
    lookupCommand(),
    compareCommand(),
    bankCommand(),
    importCommand(),
    exportCommand(),
    memberCommand(),
    tokenCommand(),
    identityCommand(),
    peerCommand(),
    publishCommand(),
    unpublishCommand(),
    subscribeCommand(),
    subscriptionsCommand(),
    syncCommand(),
    opinionCommand(),
    bundleCommand(),
    exchangeCommand(),
    sourcesCommand(),
    operationCommand(),
    triageCommand(),
    rulesCommand(),
    routingCommand(),
    providerCommand(),
    reportCommand(),
    auditCommand(),
    typesCommand(),
  ];
  for (const cmd of commands) {
    program.addCommand(configure(cmd));
    for (const sub of cmd.commands) configure(sub);
  }
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  // A reader that stops early (`| head`) is not an error: stop quietly, like other Unix tools.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const e = toAllianceError(err);
    process.stderr.write(`error: ${e.message} [${e.code}]\n`);
    process.exitCode = 2;
  }
}

await main();
