/** Opening the node for a CLI command from the global options (--data) and the environment. */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/config.js';
import { openNode, type AllianceNode, type OpenOptions } from '../node/node.js';

export function configFrom(cmd: Command, flags: Partial<Record<keyof Config, string | undefined>> = {}): Readonly<Config> {
  const globals = cmd.optsWithGlobals() as { data?: string };
  return loadConfig({ dataDir: globals.data, ...flags });
}

/**
 * Tells the operator the admin token created on the node's first start, once. On a terminal it is
 * printed; otherwise (a service manager, a container, CI) it goes to a file only its owner may
 * read, `<data>/first-admin-token`, whose path is printed — service logs are read by more people
 * than the operator and kept longer than any token should be.
 */
export function announceFirstToken(node: AllianceNode, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  const token = node.firstAdminToken;
  if (!token) return;
  const who = `member "${node.config.memberName}"`;
  if (process.stderr.isTTY) {
    write(`First start: created ${who} with an admin token (shown once, keep it safe):\n\n    ${token}\n`);
    return;
  }
  const file = join(node.config.dataDir, FIRST_TOKEN_FILE);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  write(`First start: created ${who} with an admin token, written to ${file} (readable by this user only): keep it safe, then delete the file`);
}

/** Where the first admin token goes when no terminal shows it. */
export const FIRST_TOKEN_FILE = 'first-admin-token';

/** Runs `fn` with an open node and always closes it. */
export async function withNode<T>(
  cmd: Command,
  options: OpenOptions,
  fn: (node: AllianceNode) => Promise<T>,
  flags: Partial<Record<keyof Config, string | undefined>> = {},
): Promise<T> {
  const node = await openNode(configFrom(cmd, { logLevel: 'silent', ...flags }), options);
  try {
    announceFirstToken(node);
    if (node.identityWarning) process.stderr.write(`${node.identityWarning}\n`);
    return await fn(node);
  } finally {
    await node.close();
  }
}
