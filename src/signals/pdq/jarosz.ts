/**
 * The Jarosz "tent" downsampler of PDQ: repeated box filters along rows and columns, then
 * decimation to the 64×64 grid, in float32 arithmetic like the reference (running sums are
 * rounded to float32 after every addition; Float32Array stores round the quotients), so every
 * value equals the reference's bit for bit.
 *
 * Speed without changing a single rounding: vectors are filtered four at a time (four independent
 * float32 dependency chains keep the CPU busy), and the last column pass runs only on the
 * columns that the decimation reads.
 */
const f = Math.fround;

/** Box-filter window for downscaling `oldDim` to `newDim` with two passes: ceil(old / (2·new)). */
export function jaroszWindowSize(oldDim: number, newDim: number): number {
  return Math.floor((oldDim + 2 * newDim - 1) / (2 * newDim));
}

/** The reference's four phases of a centred box whose window shrinks at both ends. */
function phases(length: number, window: number): [number, number, number, number] {
  const half = (window + 2) >> 1;
  return [half - 1, window - half + 1, length - window, half - 1];
}

/** One box filter along the vector at `start` with `length` values `stride` apart. */
function box1(input: Float32Array, output: Float32Array, start: number, length: number, stride: number, window: number): void {
  const [p1, p2, p3, p4] = phases(length, window);
  let li = start;
  let ri = start;
  let oi = start;
  let a = 0;
  let size = 0;
  for (let i = 0; i < p1; i++, ri += stride, size++) a = f(a + input[ri]);
  for (let i = 0; i < p2; i++, ri += stride, oi += stride) {
    a = f(a + input[ri]);
    output[oi] = a / ++size;
  }
  for (let i = 0; i < p3; i++, ri += stride, li += stride, oi += stride) {
    a = f(f(a + input[ri]) - input[li]);
    output[oi] = a / size;
  }
  for (let i = 0; i < p4; i++, li += stride, oi += stride) {
    a = f(a - input[li]);
    output[oi] = a / --size;
  }
}

/** `box1` on four vectors at once: those starting at start, start+lane, start+2·lane, start+3·lane. */
function box4(input: Float32Array, output: Float32Array, start: number, length: number, stride: number, lane: number, window: number): void {
  const [p1, p2, p3, p4] = phases(length, window);
  const l1 = lane;
  const l2 = 2 * lane;
  const l3 = 3 * lane;
  let li = start;
  let ri = start;
  let oi = start;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let size = 0;
  for (let i = 0; i < p1; i++, ri += stride, size++) {
    a0 = f(a0 + input[ri]);
    a1 = f(a1 + input[ri + l1]);
    a2 = f(a2 + input[ri + l2]);
    a3 = f(a3 + input[ri + l3]);
  }
  for (let i = 0; i < p2; i++, ri += stride, oi += stride) {
    a0 = f(a0 + input[ri]);
    a1 = f(a1 + input[ri + l1]);
    a2 = f(a2 + input[ri + l2]);
    a3 = f(a3 + input[ri + l3]);
    size++;
    output[oi] = a0 / size;
    output[oi + l1] = a1 / size;
    output[oi + l2] = a2 / size;
    output[oi + l3] = a3 / size;
  }
  for (let i = 0; i < p3; i++, ri += stride, li += stride, oi += stride) {
    a0 = f(f(a0 + input[ri]) - input[li]);
    a1 = f(f(a1 + input[ri + l1]) - input[li + l1]);
    a2 = f(f(a2 + input[ri + l2]) - input[li + l2]);
    a3 = f(f(a3 + input[ri + l3]) - input[li + l3]);
    output[oi] = a0 / size;
    output[oi + l1] = a1 / size;
    output[oi + l2] = a2 / size;
    output[oi + l3] = a3 / size;
  }
  for (let i = 0; i < p4; i++, li += stride, oi += stride) {
    a0 = f(a0 - input[li]);
    a1 = f(a1 - input[li + l1]);
    a2 = f(a2 - input[li + l2]);
    a3 = f(a3 - input[li + l3]);
    size--;
    output[oi] = a0 / size;
    output[oi + l1] = a1 / size;
    output[oi + l2] = a2 / size;
    output[oi + l3] = a3 / size;
  }
}

/**
 * Filters `count` parallel vectors (vector v starts at v·lane), four at a time.
 * Rows: lane = cols, stride = 1. Columns: lane = 1, stride = cols.
 */
function boxAll(input: Float32Array, output: Float32Array, count: number, lane: number, length: number, stride: number, window: number): void {
  let v = 0;
  for (; v + 4 <= count; v += 4) box4(input, output, v * lane, length, stride, lane, window);
  for (; v < count; v++) box1(input, output, v * lane, length, stride, window);
}

/** Index of the input sample that output cell `i` of `outDim` takes (cell centres). */
export function decimationIndex(i: number, inDim: number, outDim: number): number {
  return Math.floor(((i + 0.5) * inDim) / outDim);
}

/**
 * Blurs the rows×cols luma in `buf1` (destroying it; `buf2` is scratch) with two Jarosz passes
 * and writes the outRows×outCols decimation into `out`.
 */
export function jaroszDownsample(
  buf1: Float32Array,
  buf2: Float32Array,
  rows: number,
  cols: number,
  out: Float32Array,
  outRows: number,
  outCols: number,
): void {
  const wRows = jaroszWindowSize(cols, outCols);
  const wCols = jaroszWindowSize(rows, outRows);
  // Pass 1: rows then columns, everywhere.
  boxAll(buf1, buf2, rows, cols, cols, 1, wRows);
  boxAll(buf2, buf1, cols, 1, rows, cols, wCols);
  // Pass 2: rows everywhere (each running sum needs its whole row), columns only where sampled.
  boxAll(buf1, buf2, rows, cols, cols, 1, wRows);
  for (let oj = 0; oj < outCols; oj++) {
    const j = decimationIndex(oj, cols, outCols);
    if (oj > 0 && j === decimationIndex(oj - 1, cols, outCols)) continue;
    box1(buf2, buf1, j, rows, cols, wCols);
  }
  for (let oi = 0; oi < outRows; oi++) {
    const ii = decimationIndex(oi, rows, outRows) * cols;
    for (let oj = 0; oj < outCols; oj++) out[oi * outCols + oj] = buf1[ii + decimationIndex(oj, cols, outCols)];
  }
}
