/** Polls `probe` every 100 ms until it returns a value other than undefined (or gives up after `tries`). */
export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what = 'a condition', tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}
