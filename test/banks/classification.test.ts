/** Classification labels: the crosswalk between schemes, and labels that are not classifications. */
import { describe, expect, it } from 'vitest';
import { classificationLabel, parseClassification } from '../../src/banks/classification.js';

describe('parseClassification', () => {
  it.each([
    ['industry:A1', { scheme: 'industry', value: 'A1', vics: 1, legal: 'baseline' }],
    ['A1', { scheme: 'industry', value: 'A1', legal: 'baseline' }],
    ['uk:c', { scheme: 'uk', value: 'C', vics: 1, legal: 'national' }],
    ['vics:0', { scheme: 'vics', value: '0', legal: 'not_illegal' }],
    ['Baseline', { scheme: 'legal', value: 'baseline', legal: 'baseline' }],
  ])('%s', (text, expected) => {
    const c = parseClassification(text);
    expect(c).toMatchObject(expected);
    expect(parseClassification(classificationLabel(c))).toEqual(c);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'vics:constructor', 'uk:__proto__', 'constructor:x', 'nope', 'vics:9', ''])(
    'refuses %j with CLASSIFICATION_INVALID',
    (text) => {
      expect(() => parseClassification(text)).toThrow(expect.objectContaining({ code: 'CLASSIFICATION_INVALID' }));
    },
  );
});
