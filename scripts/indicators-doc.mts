import { writeFileSync } from 'node:fs';
import { indicatorsMarkdown } from '../src/reporting/indicators-doc.js';

writeFileSync('docs/indicators.md', indicatorsMarkdown());
