/**
 * The check API's answers (src/awareness/check-service.ts): whether a search or an upload is
 * listed, the message to show and where to turn for help. The check SDK's types are generated
 * from these schemas (scripts/gen-sdk-types.mts → sdk/src/types.ts): keep them plain objects,
 * unions of literals, arrays and nullables, which the generator knows.
 */
import { Type, type Static } from 'typebox';
import { Nullable } from './common.js';

export const Audience = Type.Union([Type.Literal('child'), Type.Literal('teen'), Type.Literal('adult')]);
export type Audience = Static<typeof Audience>;

export const MessageContext = Type.Union([Type.Literal('search'), Type.Literal('upload-blocked'), Type.Literal('child-safety'), Type.Literal('victim')]);
export type MessageContext = Static<typeof MessageContext>;

export const HelpKind = Type.Union([
  Type.Literal('child_helpline'),
  Type.Literal('hotline'),
  Type.Literal('police'),
  Type.Literal('victim_support'),
  Type.Literal('offender_prevention'),
]);
export type HelpKind = Static<typeof HelpKind>;

export const ChannelType = Type.Union([
  Type.Literal('phone'),
  Type.Literal('web'),
  Type.Literal('chat'),
  Type.Literal('email'),
  Type.Literal('sms'),
  Type.Literal('app'),
]);
export type ChannelType = Static<typeof ChannelType>;

/** A way to reach a help service. */
export const HelpChannel = Type.Object({ type: ChannelType, value: Type.String() });
export type HelpChannel = Static<typeof HelpChannel>;

/** The message to show: the served version, and whether it is a fall-back from the requested language. */
export const ServedMessage = Type.Object({
  context: MessageContext,
  audience: Audience,
  language: Type.String(),
  requested_language: Type.String(),
  /** True when the requested language has no approved translation and English is shown. */
  fallback: Type.Boolean(),
  version: Type.Integer(),
  title: Type.String(),
  body: Type.String(),
});
export type ServedMessage = Static<typeof ServedMessage>;

/** Where a user can turn for help. */
export const HelpEntry = Type.Object({
  kind: HelpKind,
  name: Type.String(),
  country: Type.String(),
  languages: Type.Array(Type.String()),
  hours: Nullable(Type.String()),
  channels: Type.Array(HelpChannel),
  /** True when this is an international service standing in for the country's own. */
  fallback: Type.Boolean(),
});
export type HelpEntry = Static<typeof HelpEntry>;

const MessageAnswerProperties = {
  /** The message to show (null when there is nothing to show). */
  message: Nullable(ServedMessage),
  help: Type.Array(HelpEntry),
  /** True when some help entries are the international fall-back (the country's are not curated yet). */
  help_fallback: Type.Boolean(),
};

/** GET /check/message: the message and help of a context, without a check. */
export const MessageAnswer = Type.Object(MessageAnswerProperties);
export type MessageAnswer = Static<typeof MessageAnswer>;

/** POST /check/text. */
export const CheckAnswer = Type.Object({ match: Type.Boolean(), ...MessageAnswerProperties });
export type CheckAnswer = Static<typeof CheckAnswer>;

/** POST /check/upload: block (with the upload-blocked message) or allow, and which hashes matched. */
export const UploadAnswer = Type.Object({
  action: Type.Union([Type.Literal('block'), Type.Literal('allow')]),
  matched: Type.Array(Type.String()),
  match: Type.Boolean(),
  ...MessageAnswerProperties,
});
export type UploadAnswer = Static<typeof UploadAnswer>;
