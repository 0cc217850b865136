#!/usr/bin/env node
// The `alliance` command: runs the compiled CLI (npm start / npm test build it; or `npm run build`).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('alliance is not built yet: run `npm run build` (npm start and npm test do it for you)\n');
    process.exit(2);
  }
  throw err;
});
