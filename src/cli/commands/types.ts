/** `alliance types`: the registered signal types and their match rules. */
import { Command } from 'commander';
import { SIGNAL_TYPES } from '../../signals/index.js';

export function typesCommand(): Command {
  return new Command('types').description('List the signal types this node can hash and match.').action(() => {
    for (const t of SIGNAL_TYPES.values()) {
      const rule =
        t.comparison === 'hamming' ? `distance ≤ ${t.defaultThreshold}` : t.comparison === 'frames' ? `≥ ${t.defaultThreshold} % of query frames` : 'identical';
      process.stdout.write(`${t.name.padEnd(8)} ${t.media.padEnd(6)} ${rule.padEnd(24)} ${t.description}\n`);
    }
  });
}
