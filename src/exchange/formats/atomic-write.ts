/**
 * Writing an export to a temporary file beside the target, renamed over it only when complete:
 * a failed or interrupted export never leaves a half-written file under the real name.
 */
import { open, rename, rm } from 'node:fs/promises';

export async function writeAtomically<T>(path: string, work: (write: (text: string) => Promise<unknown>) => Promise<T>, mode = 0o666): Promise<T> {
  const tmp = `${path}.${process.pid}.partial`;
  const fh = await open(tmp, 'w', mode);
  try {
    const out = await work((text) => fh.write(text));
    await fh.close();
    await rename(tmp, path);
    return out;
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}
