import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vite';

// The SDK as an ES module library: the client (alliance-check.js) and its WebWorker
// (alliance-check-worker.js, which bundles the server's own PDQ code), plus the component's CSS.
export default defineConfig({
  root: import.meta.dirname,
  build: {
    outDir: join(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    lib: {
      entry: { 'alliance-check': join(import.meta.dirname, 'src/index.ts'), 'alliance-check-worker': join(import.meta.dirname, 'src/worker.ts') },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
  },
  plugins: [
    {
      name: 'alliance-check-css',
      closeBundle() {
        copyFileSync(join(import.meta.dirname, 'src/alliance-check.css'), join(import.meta.dirname, 'dist/alliance-check.css'));
      },
    },
  ],
});
