/** The component's own words (not the node's messages), per language; pass your own to localise. */
export interface Labels {
  help: string;
  close: string;
  hours: string;
  international: string;
  notTranslated: string;
  kinds: Record<'child_helpline' | 'hotline' | 'police' | 'victim_support' | 'offender_prevention', string>;
  channels: Record<'phone' | 'web' | 'chat' | 'email' | 'sms' | 'app', string>;
}

export const LABELS: Record<string, Labels> = {
  en: {
    help: 'Where to get help',
    close: 'Close',
    hours: 'Hours',
    international: 'International service',
    notTranslated: 'This message is not yet available in your language.',
    kinds: {
      child_helpline: 'Child helpline',
      hotline: 'Report to a hotline',
      police: 'Police',
      victim_support: 'Support for victims',
      offender_prevention: 'Confidential help for your own thoughts or behaviour',
    },
    channels: { phone: 'Call', web: 'Website', chat: 'Chat', email: 'Email', sms: 'Text', app: 'App' },
  },
  fr: {
    help: "Où trouver de l'aide",
    close: 'Fermer',
    hours: 'Horaires',
    international: 'Service international',
    notTranslated: "Ce message n'est pas encore disponible dans votre langue.",
    kinds: {
      child_helpline: "Ligne d'écoute pour enfants",
      hotline: 'Signaler à une hotline',
      police: 'Police',
      victim_support: 'Aide aux victimes',
      offender_prevention: 'Aide confidentielle pour vos pensées ou comportements',
    },
    channels: { phone: 'Appeler', web: 'Site web', chat: 'Chat', email: 'E-mail', sms: 'SMS', app: 'Application' },
  },
  de: {
    help: 'Hier gibt es Hilfe',
    close: 'Schließen',
    hours: 'Erreichbar',
    international: 'Internationaler Dienst',
    notTranslated: 'Diese Nachricht gibt es noch nicht in Ihrer Sprache.',
    kinds: {
      child_helpline: 'Kinder- und Jugendtelefon',
      hotline: 'Bei einer Meldestelle melden',
      police: 'Polizei',
      victim_support: 'Hilfe für Betroffene',
      offender_prevention: 'Vertrauliche Hilfe bei eigenen Gedanken oder Verhalten',
    },
    channels: { phone: 'Anrufen', web: 'Website', chat: 'Chat', email: 'E-Mail', sms: 'SMS', app: 'App' },
  },
};

/** The labels for a language code ("fr-BE" → French), English when there are none. */
export function labelsFor(language: string | undefined, overrides: Partial<Labels> = {}): Labels {
  const base = LABELS[language ?? 'en'] ?? LABELS[(language ?? 'en').split('-')[0]] ?? LABELS.en;
  return { ...base, ...overrides };
}
