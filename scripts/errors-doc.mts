import { writeFileSync } from 'node:fs';
import { ERRORS } from '../src/errors/catalogue.js';
let s =
  '# Error catalogue\n\nEvery error Alliance reports carries one of these stable codes (CLI: `error: <path>: <reason> [CODE]`; JSON: `{"code", "message"}`; HTTP: the status below). `test/errors/catalogue.test.ts` checks this table against `src/errors/catalogue.ts`.\n\n| code | HTTP status | meaning |\n|---|---|---|\n';
for (const [k, v] of Object.entries(ERRORS)) s += '| `' + k + '` | ' + v.status + ' | ' + v.meaning + ' |\n';
writeFileSync('docs/errors.md', s);
