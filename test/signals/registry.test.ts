/**
 * The registry refuses a signal type lacking a capability the rest of the code asks of every
 * algorithm, and every built-in type has them all; a bare value's type is guessed one way for
 * the CLI, triage hash lists and case targets (64 hex digits: PDQ, not SHA-256).
 */
import { describe, expect, it } from 'vitest';
import { ExactIndex } from '../../src/index/exact-index.js';
import { buildRegistry, checkSignalType, recogniseType, registerSignalType, REQUIRED_CAPABILITIES, SIGNAL_TYPES } from '../../src/signals/registry.js';
import type { SignalType } from '../../src/signals/signal-type.js';

const complete: SignalType = {
  name: 'complete',
  description: 'every capability',
  media: 'any',
  comparison: 'exact',
  defaultThreshold: 0,
  normalize: (v) => v,
  compare: (a, b) => ({ match: a === b, distance: a === b ? 0 : 1 }),
  hash: async () => ({ value: 'x' }),
  createIndex: () => new ExactIndex('complete'),
  restoreIndex: (snap) => ExactIndex.fromSnapshot(snap),
  retroMatch: 'value',
  describe: (r) => (r.match ? 'same' : 'different'),
};

describe('signal type registry', () => {
  it('takes a complete type', () => {
    expect(() => checkSignalType(complete)).not.toThrow();
    expect([...buildRegistry([complete]).keys()]).toEqual(['complete']);
  });

  it.each(REQUIRED_CAPABILITIES)('refuses a type lacking %s()', (fn) => {
    const t = { ...complete, [fn]: undefined } as unknown as SignalType;
    expect(() => buildRegistry([t])).toThrow(new RegExp(`lacks ${fn}\\(\\)`));
  });

  it('refuses a type without a retro-match mode, an inexact type retro-matched by value, or an incomplete HMA form', () => {
    expect(() => checkSignalType({ ...complete, retroMatch: undefined } as unknown as SignalType)).toThrow(/lacks retroMatch/);
    expect(() => checkSignalType({ ...complete, comparison: 'hamming' })).toThrow(/only exact types retro-match by value/);
    expect(() => checkSignalType({ ...complete, hma: { name: 'complete', listed: false } } as unknown as SignalType)).toThrow(/HMA form lacks distance/);
    expect(() => checkSignalType({ ...complete, check: 'maybe' } as unknown as SignalType)).toThrow(/check must be/);
    expect(() => checkSignalType({ ...complete, recognise: 'yes' } as unknown as SignalType)).toThrow(/recognise must be a function/);
    // The sample exchange's value must be one the type stores as it is.
    const lower = { ...complete, normalize: (v: string) => v.toLowerCase() };
    expect(() => checkSignalType({ ...lower, example: 'ABC' })).toThrow(/example must be a value in canonical form/);
    expect(() => checkSignalType({ ...lower, example: 'abc' })).not.toThrow();
  });

  it('refuses duplicate names and duplicate HMA names', () => {
    expect(() => buildRegistry([complete, complete])).toThrow(/registered twice/);
    const hma = { name: 'same', listed: false, distance: () => '-', compareDetail: () => ({}) };
    expect(() =>
      buildRegistry([
        { ...complete, hma },
        { ...complete, name: 'other', hma },
      ]),
    ).toThrow(/HMA name "same" taken/);
  });

  it('every built-in type is complete', () => {
    for (const t of SIGNAL_TYPES.values()) expect(() => checkSignalType(t), t.name).not.toThrow();
  });

  it('registers a type for a test, and removes it again (never a built-in one)', () => {
    const remove = registerSignalType({ ...complete, name: 'extra' });
    expect(SIGNAL_TYPES.has('extra')).toBe(true);
    expect(() => registerSignalType({ ...complete, name: 'extra' })).toThrow(/registered twice/);
    remove();
    expect(SIGNAL_TYPES.has('extra')).toBe(false);
    expect(() => registerSignalType({ ...complete, name: 'pdq' })).toThrow(/registered twice/);
  });

  it('guesses a bare value the way the CLI, triage and case targets did', () => {
    expect(recogniseType('a'.repeat(32))?.name).toBe('md5');
    expect(recogniseType(` ${'A'.repeat(40)} `)?.name).toBe('sha1');
    // 64 hex digits are both PDQ and SHA-256: PDQ, registered first, wins (as before).
    expect(recogniseType('a'.repeat(64))?.name).toBe('pdq');
    expect(recogniseType('a'.repeat(64), [SIGNAL_TYPES.get('sha256')!])?.name).toBe('sha256');
    expect(recogniseType('0,100,' + 'a'.repeat(64) + ',0.000')?.name).toBe('vpdq');
    expect(recogniseType('g'.repeat(64))).toBeUndefined();
    expect(recogniseType('a'.repeat(33))).toBeUndefined();
    expect(recogniseType('some words')).toBeUndefined(); // keywords are never guessed
  });
});
