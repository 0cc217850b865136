/**
 * The help directory (awareness): per country, the child helpline, the reporting hotline, the
 * police reporting channel, victim support and offender prevention, with languages, hours and
 * contact channels. Seeded with one placeholder per member country and kind — a name saying a
 * curator fills it and no contact channel: no invented phone numbers.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export const PLACEHOLDER_NAME = '(to be filled by a curator)';
/** What the directory lists for each country. */
export const HELP_KINDS = ['child_helpline', 'hotline', 'police', 'victim_support', 'offender_prevention'] as const;

/**
 * The alliance's countries as src/geo/alliance-countries.ts listed them when this migration was
 * written, frozen here: that list may change, what this migration inserted must not.
 */
const COUNTRIES: readonly string[] = [
  // European Union member states of the time
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'GB',
  // the others
  'AL',
  'AM',
  'AU',
  'BA',
  'KH',
  'CA',
  'CR',
  'GE',
  'GH',
  'IL',
  'JP',
  'XK',
  'KR',
  'MX',
  'MD',
  'ME',
  'NZ',
  'NG',
  'NO',
  'PH',
  'RS',
  'CH',
  'TH',
  'TR',
  'UA',
  'US',
  'VN',
];

export function helpDirectory(dialect: DialectName) {
  const pk = dialect === 'sqlite' ? sql.raw('id integer primary key autoincrement') : sql.raw('id serial primary key');
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table help_entries (${pk}, uid text not null unique, country text not null, kind text not null, name text not null,
        languages text not null, hours text, channels text not null, status text not null, created_at bigint not null, updated_at bigint not null)`.execute(db);
      await sql`create index help_entries_country on help_entries (country, kind)`.execute(db);
      const t = Date.now();
      for (const country of COUNTRIES) {
        for (const kind of HELP_KINDS) {
          await sql`insert into help_entries (uid, country, kind, name, languages, hours, channels, status, created_at, updated_at)
            values (${`seed/help/${country}/${kind}`}, ${country}, ${kind}, ${PLACEHOLDER_NAME}, '[]', null, '[]', 'placeholder', ${t}, ${t})`.execute(db);
        }
      }
    },
  };
}
