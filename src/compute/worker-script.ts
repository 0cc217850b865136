/**
 * Where a worker thread's script is: beside the module that starts it — the compiled `.js` in
 * dist/. Run from the TypeScript sources (tests, tsx) the same file in dist/ is used, since worker
 * threads cannot load `.ts` on Node 20 (the project is compiled before tests run).
 * @example workerScript(import.meta.url, 'worker.js')
 */
export function workerScript(moduleUrl: string, name: string): URL {
  if (!moduleUrl.endsWith('.ts')) return new URL(`./${name}`, moduleUrl);
  const path = new URL(moduleUrl).pathname;
  const i = path.lastIndexOf('/src/');
  if (i < 0) throw new Error(`${moduleUrl} is not under src/: cannot find its compiled worker`);
  const dir = path.slice(i + '/src/'.length, path.lastIndexOf('/') + 1);
  return new URL(`${path.slice(0, i)}/dist/${dir}${name}`, 'file://');
}
