/**
 * Demo banks from the shared fixture hashes (test images and videos from Meta's ThreatExchange
 * repository — no abuse material), so a fresh node has something to match against: the PDQ
 * hashes of the fixture images, their videos' vPDQ, the 1,350-hash index test set, and a negative
 * bank that allow-lists one image to show suppression; and a keyword list of neutral placeholder
 * terms for the awareness check (the check SDK's demo page).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BankService, ContentFields } from '../banks/bank-service.js';
import type { Principal } from '../members/principal.js';

/** The demo keyword list: neutral placeholders. */
export const DEMO_TERMS = ['forbiddenterm', 'placeholder phrase'];

export interface DemoSummary {
  banks: string[];
  contents: number;
}

export async function seedDemoBanks(banks: BankService, actor: Principal, fixtures: string): Promise<DemoSummary | undefined> {
  if (!existsSync(join(fixtures, 'pdq', 'expected.csv'))) return undefined;
  if ((await banks.listBanks(actor)).length > 0) return undefined;
  let contents = 0;
  const add = async (bank: string, items: ContentFields[], kind: 'positive' | 'negative', description: string) => {
    await banks.createBank(actor, { name: bank, kind, description });
    contents += (await banks.importContents(actor, bank, items, 'demo')).length;
  };

  const rows = readFileSync(join(fixtures, 'pdq', 'expected.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const seen = new Set<string>();
  const images: ContentFields[] = [];
  for (const [file, pdq, quality] of rows) {
    if (Number(quality) < 50 || seen.has(pdq)) continue;
    seen.add(pdq);
    images.push({
      signals: [{ signal_type: 'pdq', value: pdq, quality: Number(quality) }],
      tags: ['demo', file.split('/')[0]],
      note: `fixture image ${file}`,
      classification: 'legal:unknown',
    });
  }
  await add('DEMO_IMAGES', images, 'positive', 'Demo: PDQ hashes of the shared fixture images');

  const videoDir = join(fixtures, 'video');
  const videos = readdirSync(videoDir)
    .filter((f) => f.endsWith('.vpdq.txt'))
    .map((f) => ({
      signals: [{ signal_type: 'vpdq', value: readFileSync(join(videoDir, f), 'utf8') }],
      tags: ['demo'],
      note: `fixture video ${f.replace('.vpdq.txt', '.mp4')}`,
    }));
  await add('DEMO_VIDEOS', videos, 'positive', 'Demo: vPDQ of the shared fixture videos');

  const haystack = readFileSync(join(fixtures, 'pdq', 'haystack.txt'), 'utf8')
    .split('\n')
    .filter(Boolean);
  await add(
    'DEMO_HAYSTACK',
    haystack.map((h) => ({ signals: [{ signal_type: 'pdq', value: h }], tags: ['demo'] })),
    'positive',
    'Demo: the 1,350-hash index test set',
  );

  const allowed = rows.find(([file]) => file === 'misc-images/c.png');
  if (allowed)
    await add(
      'DEMO_ALLOW',
      [{ signals: [{ signal_type: 'pdq', value: allowed[1] }], tags: ['demo'], note: 'allow-listed: shows how a negative bank suppresses a match' }],
      'negative',
      'Demo allow-list',
    );

  // Placeholders, never real terms: what a search must contain (through any evasion) to be stopped.
  await add(
    'DEMO_SEARCH_TERMS',
    DEMO_TERMS.map((value) => ({ signals: [{ signal_type: 'keyword', value }], tags: ['demo'] })),
    'positive',
    'Demo: placeholder search terms for the check API',
  );
  return { banks: ['DEMO_IMAGES', 'DEMO_VIDEOS', 'DEMO_HAYSTACK', ...(allowed ? ['DEMO_ALLOW'] : []), 'DEMO_SEARCH_TERMS'], contents };
}
