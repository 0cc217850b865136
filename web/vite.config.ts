import { gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * The web UI is a static bundle that `alliance serve` serves at / (src/api/web.ts).
 *
 * A build is React's production build whatever NODE_ENV the caller had: Vite takes the build's
 * NODE_ENV from the environment when it is set, and the test runner (NODE_ENV=test), a shell with
 * NODE_ENV=development or a parent npm script would otherwise ship the development build (DevTools
 * banner, dev warnings, twice the size). Vite reads NODE_ENV after loading this file, so
 * setting it here decides. The development build is only `npm run dev:web`: Vite's dev server
 * (hot reload) on 127.0.0.1:5173, passing /api to the node at ALLIANCE_URL (default
 * http://127.0.0.1:5100, `alliance serve`'s port).
 */
export default defineConfig(({ command, mode }) => {
  if (command === 'build') process.env.NODE_ENV = mode === 'development' ? 'development' : 'production';
  return {
    root: import.meta.dirname,
    base: '/',
    plugins: [react(), bundleSizes()],
    build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: true },
    server: { host: '127.0.0.1', proxy: { '/api': process.env.ALLIANCE_URL ?? 'http://127.0.0.1:5100' } },
  };
});

/** Prints each JavaScript and CSS file of the build with its size gzipped, the first page's (the entry and what it imports) first. */
function bundleSizes(): Plugin {
  return {
    name: 'alliance-bundle-sizes',
    apply: 'build',
    generateBundle(_options, bundle) {
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      const files = Object.values(bundle)
        .filter((f) => /\.(js|css)$/.test(f.fileName))
        .map((f) => {
          const code = f.type === 'chunk' ? f.code : f.source;
          return { name: f.fileName, gzip: gzipSync(code).length, first: f.type === 'chunk' && f.isEntry };
        });
      const entry = Object.values(bundle).find((f) => f.type === 'chunk' && f.isEntry);
      const firstPage = new Set<string>();
      const visit = (name: string) => {
        const c = bundle[name];
        if (!c || firstPage.has(name)) return;
        firstPage.add(name);
        if (c.type === 'chunk') c.imports.forEach(visit);
      };
      if (entry) visit(entry.fileName);
      const firstJs = files.filter((f) => firstPage.has(f.name)).reduce((s, f) => s + f.gzip, 0);
      const lines = files
        .sort((a, b) => Number(firstPage.has(b.name)) - Number(firstPage.has(a.name)) || b.gzip - a.gzip)
        .map((f) => `  ${f.name.padEnd(48)} ${kb(f.gzip).padStart(10)} gzipped${firstPage.has(f.name) ? '  (first page)' : ''}`);
      process.stdout.write(`web UI (${process.env.NODE_ENV} build): first page's JavaScript ${kb(firstJs)} gzipped\n${lines.join('\n')}\n`);
    },
  };
}
