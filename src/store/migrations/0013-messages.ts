/**
 * Awareness messages (versioned, reviewed per language) and the help directory's international
 * fall-back: entries under the user-assigned code ZZ that answer when a country's own entry of
 * a kind is not curated yet. Each names a real international service by its public website; no
 * phone number is given (they differ per country).
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/** The help directory's "country" of the international fall-back entries. */
export const INTERNATIONAL = 'ZZ';

/**
 * What this migration inserted when it was written, frozen here: the seed text in
 * src/awareness/seed-messages.ts may change, but a migration that has run must go on inserting
 * exactly what it did (a new migration adds new versions).
 */
const AUDIENCES = ['child', 'teen', 'adult'] as const;
const CONTEXTS = ['search', 'upload-blocked', 'child-safety', 'victim'] as const;
const LANGUAGE = 'en';
const SEED: Record<(typeof CONTEXTS)[number], Record<(typeof AUDIENCES)[number], { title: string; body: string }>> = {
  search: {
    adult: {
      title: 'This search may be looking for illegal material',
      body: 'Sexual images of children are illegal, and every time they are viewed the children in them are harmed again. Searches like this are blocked here. If you are worried about your thoughts or behaviour, confidential help is available: you can talk to someone without giving your name.',
    },
    teen: {
      title: "Let's pause here",
      body: 'This search is for content that is harmful and illegal. If someone is asking you for pictures, or you have seen something that upset you, you are not in trouble: you can talk to someone who can help.',
    },
    child: {
      title: 'This is not something to look for',
      body: 'Some things online are not safe for you. If something or someone online has made you feel worried, tell an adult you trust or contact a helpline. It is free, and they will listen.',
    },
  },
  'upload-blocked': {
    adult: {
      title: 'This upload was blocked',
      body: 'The file matches material known to be illegal and cannot be shared here. Sharing sexual images of children is a crime and harms real children. If you found it somewhere, report it to a hotline. If you are worried about your own behaviour, confidential help is available.',
    },
    teen: {
      title: "This can't be uploaded",
      body: "This picture or video can't be shared here. If it shows you or someone you know, you are not in trouble and you are not alone: there are people who can help get it removed. Talk to a helpline or an adult you trust.",
    },
    child: {
      title: "This can't be shared",
      body: "This picture can't be shared here. If someone asked you to send pictures, or you are worried about a picture, tell an adult you trust or contact a helpline. It is not your fault.",
    },
  },
  'child-safety': {
    adult: {
      title: 'Keeping children safe online',
      body: 'If you are worried that a child is being contacted or pressured online, you can get advice and report it. Do not forward any images: report them instead.',
    },
    teen: {
      title: 'Is someone pressuring you?',
      body: 'If someone online asks you for pictures, wants you to keep your chats secret, or threatens to share pictures of you, it is not your fault. Stop replying, keep the messages, and talk to a helpline or an adult you trust.',
    },
    child: {
      title: 'Stay safe online',
      body: 'If someone online asks you for pictures or asks you to keep a secret, tell an adult you trust. You can also contact a helpline for free.',
    },
  },
  victim: {
    adult: {
      title: 'Help if images of you are being shared',
      body: 'If images of you as a child are being shared, you can get support and have them removed. Hotlines take reports and ask services to take the images down; support services can help you through it.',
    },
    teen: {
      title: 'If a picture of you is being shared',
      body: 'You are not in trouble. You can get help to have it taken down, and talk to someone who understands.',
    },
    child: {
      title: 'If a picture of you is being shared',
      body: 'It is not your fault. Tell an adult you trust or contact a helpline: they can help make it stop.',
    },
  },
};

const INTERNATIONAL_ENTRIES: Array<[kind: string, name: string, url: string]> = [
  ['child_helpline', 'Child Helpline International: find the child helpline of your country', 'https://childhelplineinternational.org'],
  ['hotline', 'INHOPE: find the reporting hotline of your country', 'https://www.inhope.org'],
  ['victim_support', 'Take It Down (NCMEC): removal of nude or sexual images taken before 18', 'https://takeitdown.ncmec.org'],
  [
    'offender_prevention',
    'Troubled Desire: anonymous online self-help for people worried about their sexual interest in children',
    'https://troubled-desire.com',
  ],
];

export function messages(dialect: DialectName) {
  const pk = dialect === 'sqlite' ? sql.raw('id integer primary key autoincrement') : sql.raw('id serial primary key');
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table messages (${pk}, context text not null, audience text not null, language text not null, version integer not null,
        title text not null, body text not null, status text not null, author text not null, created_at bigint not null,
        reviewed_by text, reviewed_at bigint, review_note text, unique (context, audience, language, version))`.execute(db);
      const t = Date.now();
      for (const context of CONTEXTS) {
        for (const audience of AUDIENCES) {
          const m = SEED[context][audience];
          await sql`insert into messages (context, audience, language, version, title, body, status, author, created_at, reviewed_by, reviewed_at)
            values (${context}, ${audience}, ${LANGUAGE}, 1, ${m.title}, ${m.body}, 'approved', 'seed', ${t}, 'seed', ${t})`.execute(db);
        }
      }
      for (const [kind, name, url] of INTERNATIONAL_ENTRIES) {
        await sql`insert into help_entries (uid, country, kind, name, languages, hours, channels, status, created_at, updated_at)
          values (${`seed/help/${INTERNATIONAL}/${kind}`}, ${INTERNATIONAL}, ${kind}, ${name}, '["en"]', null, ${JSON.stringify([{ type: 'web', value: url }])}, 'curated', ${t}, ${t})`.execute(
          db,
        );
      }
    },
  };
}
