/** The check API's answers, as an Alliance node gives them (see its /docs): the server contract's types exactly (src/api/contract/check.ts; test/sdk/types-contract.test.ts fails when they part), written out here so that the published package needs nothing else. */
export type Audience = 'child' | 'teen' | 'adult';
export type MessageContext = 'search' | 'upload-blocked' | 'child-safety' | 'victim';

export interface ServedMessage {
  context: MessageContext;
  audience: Audience;
  language: string;
  requested_language: string;
  /** True when the requested language has no approved translation and English is shown. */
  fallback: boolean;
  version: number;
  title: string;
  body: string;
}

export interface HelpEntry {
  kind: 'child_helpline' | 'hotline' | 'police' | 'victim_support' | 'offender_prevention';
  name: string;
  country: string;
  languages: string[];
  hours: string | null;
  channels: Array<{ type: 'phone' | 'web' | 'chat' | 'email' | 'sms' | 'app'; value: string }>;
  /** True when this is an international service standing in for the country's own. */
  fallback: boolean;
}

export interface CheckAnswer {
  match: boolean;
  message: ServedMessage | null;
  help: HelpEntry[];
  help_fallback: boolean;
}

export interface UploadAnswer extends CheckAnswer {
  action: 'block' | 'allow';
  matched: string[];
}
