/**
 * "Did you mean": the nearest existing name to one that does not exist, so an error about a typo
 * (`DEMO_IMAGS`) names what was meant (`DEMO_IMAGES`). Distance is Damerau–Levenshtein (optimal
 * string alignment), case-insensitive; a name is suggested only when it is close enough to be a
 * slip (at most a third of its length, and at least 2 edits allowed).
 */

function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The existing name nearest to `name`, if one is close enough to be what was meant. */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase().slice(0, 200);
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(wanted.length / 3)) + 1;
  for (const c of candidates) {
    const dd = distance(wanted, c.toLowerCase().slice(0, 200));
    if (dd < bestDistance) {
      best = c;
      bestDistance = dd;
    }
  }
  return best === name ? undefined : best;
}

/**
 * The sentence for a name that does not exist, with the nearest existing one suggested.
 * @example unknownName('bank', 'DEMO_IMAGS', ['DEMO_IMAGES']) // 'no bank "DEMO_IMAGS" (did you mean "DEMO_IMAGES"?)'
 */
export function unknownName(what: string, name: string, candidates: Iterable<string>): string {
  const near = nearestName(name, candidates);
  return `no ${what} "${name.slice(0, 100)}"${near ? ` (did you mean "${near}"?)` : ''}`;
}
