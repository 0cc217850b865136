/**
 * HMA's sample exchange ("sample", its StaticSampleSignalExchangeAPI): no remote, no credentials,
 * an empty configuration; one fetch yields the example value of every signal type that declares
 * one (`SignalType.example`, generated values), so a new node can show fetching, matching and
 * deleting an exchange end to end. Its checkpoint only says "done": a later fetch brings nothing
 * new (the examples do not change while the node runs).
 */
import { Type } from 'typebox';
import { SIGNAL_TYPES } from '../../signals/index.js';
import type { UpsertEntry } from '../page.js';
import type { ExchangeApi } from './exchange-api.js';

interface SampleCheckpoint {
  done: true;
}

export const sampleApi: ExchangeApi<Record<string, never>, never, SampleCheckpoint> = {
  name: 'sample',
  description: 'A fixed example value of each signal type, fetched from nowhere (to try exchanges out)',
  configSchema: Type.Object({}),
  credentialSchema: null,
  readCheckpoint: (stored) => (typeof stored === 'object' && stored !== null && (stored as Partial<SampleCheckpoint>).done === true ? { done: true } : null),
  checkpointTime: () => null,
  async *fetch(ctx, checkpoint) {
    if (checkpoint?.done) return;
    const first_seen = new Date(ctx.now()).toISOString();
    const deltas: UpsertEntry[] = [];
    for (const type of SIGNAL_TYPES.values()) {
      if (type.example === undefined) continue;
      deltas.push({
        seq: 0,
        op: 'upsert',
        uid: `${type.name}:${type.example}`,
        signals: [{ type: type.name, value: type.example }],
        classification: null,
        tags: [],
        first_seen,
        disabled: false,
        origin: { member: 'sample', bank: ctx.name },
        chain: [],
        note: null,
        metadata: null,
      });
    }
    yield { deltas, checkpoint: { done: true } };
  },
};
