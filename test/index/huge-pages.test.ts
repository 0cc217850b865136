/**
 * Issue 19: at 10 M hashes and more the index is faster on transparent huge pages, which glibc's
 * malloc asks for when the process starts with GLIBC_TUNABLES=glibc.malloc.hugetlb=1. The node
 * says how much of its memory is on them and tells the operator when a large index is not.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HUGE_PAGES_TUNABLE, HUGE_PAGES_WORTH_BYTES, hugePageBytes, hugePagesAdvice, transparentHugePageMode } from '../../src/index/huge-pages.js';

const GiB = 2 ** 30;

describe('huge pages for the match index', () => {
  it('advises only for a large index on small pages, naming the tunable or the kernel', () => {
    expect(hugePagesAdvice(HUGE_PAGES_WORTH_BYTES - 1, { onHuge: 0, tunables: '' })).toBeUndefined();
    expect(hugePagesAdvice(GiB, { onHuge: GiB, tunables: HUGE_PAGES_TUNABLE })).toBeUndefined();
    expect(hugePagesAdvice(GiB, { onHuge: undefined, tunables: '' })).toBeUndefined(); // not Linux: nothing to say
    expect(hugePagesAdvice(GiB, { onHuge: 0, tunables: '' })).toMatch(/1024 MiB.*GLIBC_TUNABLES=glibc\.malloc\.hugetlb=1/);
    expect(hugePagesAdvice(GiB, { onHuge: 0, tunables: `glibc.malloc.arena_max=2:${HUGE_PAGES_TUNABLE}` })).toMatch(/kernel gave none/);
  });

  it('a process started with the tunable holds a large typed array on huge pages where the kernel offers them', () => {
    const mode = transparentHugePageMode() ?? 'never';
    expect(hugePageBytes()).toBeTypeOf('number'); // Linux: /proc says
    const script = `
      import { hugePageBytes } from './src/index/huge-pages.ts';
      const a = new Uint32Array(64 * 2 ** 20); // 256 MiB, touched
      for (let i = 0; i < a.length; i += 1024) a[i] = i;
      console.log(hugePageBytes());`;
    const run = (tunables: string | undefined) => {
      const env = { ...process.env };
      if (tunables === undefined) delete env.GLIBC_TUNABLES;
      else env.GLIBC_TUNABLES = tunables;
      return Number(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env, encoding: 'utf8' }).trim());
    };
    const withTunable = run(HUGE_PAGES_TUNABLE);
    if (mode === 'never') expect(withTunable).toBe(0);
    else expect(withTunable).toBeGreaterThan(128 * 2 ** 20);
    if (mode === 'madvise') expect(run(undefined)).toBeLessThan(64 * 2 ** 20);
  });
});
