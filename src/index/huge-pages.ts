/**
 * Whether the index's memory sits on transparent huge pages (Linux). At 10 M hashes and more a
 * query is mostly random reads spread over gigabytes; on 4 KiB pages nearly each one misses the
 * TLB as well as the cache. Node cannot ask for huge pages itself, but glibc's malloc, which holds
 * the index's arrays, does when the process starts with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 and
 * the kernel's transparent_hugepage mode is `madvise` or `always` (docs/deploy.md, measured there).
 */
import { readFileSync } from 'node:fs';

/** The tunable that makes glibc's malloc ask for transparent huge pages. */
export const HUGE_PAGES_TUNABLE = 'glibc.malloc.hugetlb=1';

/** Bytes of this process's anonymous memory on huge pages, or undefined where /proc cannot say (not Linux). */
export function hugePageBytes(): number | undefined {
  try {
    const kb = /AnonHugePages:\s+(\d+) kB/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** The kernel's transparent huge page mode (`always`, `madvise`, `never`), or undefined where it cannot be read. */
export function transparentHugePageMode(): string | undefined {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Indexes from this size on are worth huge pages (measured: 11–21% faster at 10 M hashes, 1.7× at 100 M; 4–7% at 1 M). */
export const HUGE_PAGES_WORTH_BYTES = 256 * 2 ** 20;

/**
 * A note for the operator when an index of `indexBytes` lives on small pages and huge pages would
 * help, else undefined.
 */
export function hugePagesAdvice(
  indexBytes: number,
  { onHuge, tunables }: { onHuge: number | undefined; tunables: string } = { onHuge: hugePageBytes(), tunables: process.env.GLIBC_TUNABLES ?? '' },
): string | undefined {
  if (indexBytes < HUGE_PAGES_WORTH_BYTES || onHuge === undefined || onHuge >= indexBytes / 2) return undefined;
  const why = tunables.includes(HUGE_PAGES_TUNABLE)
    ? `GLIBC_TUNABLES has ${HUGE_PAGES_TUNABLE} but the kernel gave none (is /sys/kernel/mm/transparent_hugepage/enabled "never"?)`
    : `start alliance with GLIBC_TUNABLES=${HUGE_PAGES_TUNABLE}`;
  return `the match index (${Math.round(indexBytes / 2 ** 20)} MiB) is on 4 KiB pages, which slows queries (1.7x at 100 M hashes): ${why}; see docs/deploy.md`;
}
