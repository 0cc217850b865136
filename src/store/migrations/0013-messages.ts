/**
 * Awareness messages (versioned, reviewed per language) and the help directory's international
 * fall-back: entries under the user-assigned code ZZ that answer when a country's own entry of
 * a kind is not curated yet. Each names a real international service by its public website; no
 * phone number is given (they differ per country).
 */
import { sql, type Kysely } from 'kysely';
import { MESSAGE_AUDIENCES, MESSAGE_CONTEXTS, FALLBACK_LANGUAGE, SEED_MESSAGES } from '../../awareness/seed-messages.js';
import type { DialectName } from '../database.js';

/** The help directory's "country" of the international fall-back entries. */
export const INTERNATIONAL = 'ZZ';

const INTERNATIONAL_ENTRIES: Array<[kind: string, name: string, url: string]> = [
  ['child_helpline', 'Child Helpline International: find the child helpline of your country', 'https://childhelplineinternational.org'],
  ['hotline', 'INHOPE: find the reporting hotline of your country', 'https://www.inhope.org'],
  ['victim_support', 'Take It Down (NCMEC): removal of nude or sexual images taken before 18', 'https://takeitdown.ncmec.org'],
  ['offender_prevention', 'Troubled Desire: anonymous online self-help for people worried about their sexual interest in children', 'https://troubled-desire.com'],
];

export function messages(dialect: DialectName) {
  const pk = dialect === 'sqlite' ? sql.raw('id integer primary key autoincrement') : sql.raw('id serial primary key');
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table messages (${pk}, context text not null, audience text not null, language text not null, version integer not null,
        title text not null, body text not null, status text not null, author text not null, created_at bigint not null,
        reviewed_by text, reviewed_at bigint, review_note text, unique (context, audience, language, version))`.execute(db);
      const t = Date.now();
      for (const context of MESSAGE_CONTEXTS) {
        for (const audience of MESSAGE_AUDIENCES) {
          const m = SEED_MESSAGES[context][audience];
          await sql`insert into messages (context, audience, language, version, title, body, status, author, created_at, reviewed_by, reviewed_at)
            values (${context}, ${audience}, ${FALLBACK_LANGUAGE}, 1, ${m.title}, ${m.body}, 'approved', 'seed', ${t}, 'seed', ${t})`.execute(db);
        }
      }
      for (const [kind, name, url] of INTERNATIONAL_ENTRIES) {
        await sql`insert into help_entries (uid, country, kind, name, languages, hours, channels, status, created_at, updated_at)
          values (${`seed/help/${INTERNATIONAL}/${kind}`}, ${INTERNATIONAL}, ${kind}, ${name}, '["en"]', null, ${JSON.stringify([{ type: 'web', value: url }])}, 'curated', ${t}, ${t})`.execute(db);
      }
    },
  };
}
