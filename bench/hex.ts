/** Hex of the i-th packed 256-bit hash (benchmarks). */
export function hammingHexOf(packed: Uint32Array, i: number): string {
  let s = '';
  for (let w = 0; w < 8; w++) s += packed[i * 8 + w].toString(16).padStart(8, '0');
  return s;
}
