import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The web UI is a static bundle that `alliance serve` serves at / (src/api/web.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: true },
});
