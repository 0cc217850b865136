/**
 * The partial 2-D DCT of PDQ: only coefficients 1…16 of each axis of the 64×64 DCT-II are needed,
 * so B = D · A · Dᵀ with a 16×64 matrix D. Float32 arithmetic in the reference's summation order.
 */
const f = Math.fround;

/** D[i][j] = sqrt(2/64) · cos(π/128 · (i+1) · (2j+1)), rounded to float32 like the reference. */
export const DCT_16x64: Float32Array = (() => {
  const d = new Float32Array(16 * 64);
  const scale = f(Math.sqrt(2 / 64));
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) d[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
  }
  return d;
})();

/** B (16×16) = D · A (64×64) · Dᵀ, with T (16×64) as scratch. Row-major float32 matrices. */
export function dct64To16(a: Float32Array, t: Float32Array, b: Float32Array): void {
  const d = DCT_16x64;
  for (let i = 0; i < 16; i++) {
    const di = i * 64;
    for (let j = 0; j < 64; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = f(sum + f(d[di + k] * a[k * 64 + j]));
      t[i * 64 + j] = sum;
    }
  }
  for (let i = 0; i < 16; i++) {
    const ti = i * 64;
    for (let j = 0; j < 16; j++) {
      const dj = j * 64;
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = f(sum + f(t[ti + k] * d[dj + k]));
      b[i * 16 + j] = sum;
    }
  }
}
