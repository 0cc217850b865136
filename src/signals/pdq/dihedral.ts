/**
 * The eight dihedral variants of a PDQ hash, derived from the 16×16 DCT output without hashing
 * again: a rotation or flip of the image only transposes the coefficient matrix and/or flips the
 * sign of odd rows or columns.
 */

export const DIHEDRAL_VARIANTS = ['original', 'rotate-90', 'rotate-180', 'rotate-270', 'flip-x', 'flip-y', 'flip-plus-1', 'flip-minus-1'] as const;
export type DihedralVariant = (typeof DIHEDRAL_VARIANTS)[number];

interface Rule {
  transpose: boolean;
  /** Sign of coefficient (i, j) of the original, before any transpose. */
  sign: (i: number, j: number) => 1 | -1;
}

const RULES: Record<DihedralVariant, Rule> = {
  original: { transpose: false, sign: () => 1 },
  'rotate-90': { transpose: true, sign: (_i, j) => (j & 1 ? 1 : -1) },
  'rotate-180': { transpose: false, sign: (i, j) => ((i + j) & 1 ? -1 : 1) },
  'rotate-270': { transpose: true, sign: (i) => (i & 1 ? 1 : -1) },
  'flip-x': { transpose: false, sign: (i) => (i & 1 ? 1 : -1) },
  'flip-y': { transpose: false, sign: (_i, j) => (j & 1 ? 1 : -1) },
  'flip-plus-1': { transpose: true, sign: () => 1 },
  'flip-minus-1': { transpose: true, sign: (i, j) => ((i + j) & 1 ? -1 : 1) },
};

/** Writes the DCT coefficients of the `variant` image into `out` (16×16, row-major). */
export function dihedralDct(dct: Float32Array, variant: DihedralVariant, out: Float32Array): void {
  const { transpose, sign } = RULES[variant];
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      const v = sign(i, j) * dct[i * 16 + j];
      if (transpose) out[j * 16 + i] = v;
      else out[i * 16 + j] = v;
    }
  }
}
