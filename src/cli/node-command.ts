/** Opening the node for a CLI command from the global options (--data) and the environment. */
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/config.js';
import { openNode, type AllianceNode, type OpenOptions } from '../node/node.js';

export function configFrom(cmd: Command, flags: Partial<Record<keyof Config, string | undefined>> = {}): Readonly<Config> {
  const globals = cmd.optsWithGlobals() as { data?: string };
  return loadConfig({ dataDir: globals.data, ...flags });
}

/** Runs `fn` with an open node and always closes it. */
export async function withNode<T>(cmd: Command, options: OpenOptions, fn: (node: AllianceNode) => Promise<T>, flags: Partial<Record<keyof Config, string | undefined>> = {}): Promise<T> {
  const node = await openNode(configFrom(cmd, { logLevel: 'silent', ...flags }), options);
  try {
    if (node.firstAdminToken) process.stderr.write(`First start: created member "${node.config.memberName}" and its admin token (shown once, keep it safe):\n${node.firstAdminToken}\n`);
    return await fn(node);
  } finally {
    await node.close();
  }
}
