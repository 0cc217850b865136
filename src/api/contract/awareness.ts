/** Awareness: the messages per context, audience and language with their review, and the help directory (src/awareness/). */
import { Type, type Static } from 'typebox';
import { Audience, HelpChannel, MessageContext } from './check.js';
import { IsoTimeOut, Nullable } from './common.js';

/** One version of a message. */
export const MessageVersion = Type.Object({
  id: Type.Integer(),
  context: MessageContext,
  audience: Audience,
  language: Type.String(),
  version: Type.Integer(),
  title: Type.String(),
  body: Type.String(),
  status: Type.Union([Type.Literal('draft'), Type.Literal('approved'), Type.Literal('rejected')]),
  author: Type.String(),
  created_at: IsoTimeOut,
  reviewed_by: Nullable(Type.String()),
  reviewed_at: Nullable(IsoTimeOut),
  review_note: Nullable(Type.String()),
});
export type MessageVersion = Static<typeof MessageVersion>;

/** GET /messages: each message in a language, the version served (or where it is shown from) and any draft. */
export const MessageOverview = Type.Object({
  language: Type.String(),
  /** Every language some message has a version in. */
  languages: Type.Array(Type.String()),
  entries: Type.Array(
    Type.Object({
      context: MessageContext,
      audience: Audience,
      language: Type.String(),
      served: Nullable(MessageVersion),
      pending: Nullable(MessageVersion),
      /** The language users of this one are shown the message in. */
      shown_from: Type.String(),
      fallback: Type.Boolean(),
      versions: Type.Integer(),
    }),
  ),
});
export type MessageOverview = Static<typeof MessageOverview>;

/** GET /messages/history: every version of one message, newest first. */
export const MessageHistory = Type.Object({ versions: Type.Array(MessageVersion) });
export type MessageHistory = Static<typeof MessageHistory>;

/** An entry of the help directory (also what the help feed publishes). */
export const HelpDirectoryEntry = Type.Object({
  id: Type.Integer(),
  uid: Type.String(),
  country: Type.String(),
  kind: Type.String(),
  name: Type.String(),
  languages: Type.Array(Type.String()),
  hours: Nullable(Type.String()),
  channels: Type.Array(HelpChannel),
  /** 'placeholder', 'curated' or 'removed'. */
  status: Type.String(),
  /** The member that publishes it (received over the federation), null for this node's own. */
  source: Nullable(Type.String()),
  updated_at: IsoTimeOut,
});
export type HelpDirectoryEntry = Static<typeof HelpDirectoryEntry>;

/** GET /help-directory. */
export const HelpDirectoryList = Type.Object({ entries: Type.Array(HelpDirectoryEntry) });
export type HelpDirectoryList = Static<typeof HelpDirectoryList>;

/** POST /help-directory/sync: what each peer's directory gave. */
export const HelpSyncReport = Type.Object({
  peers: Type.Array(Type.Object({ peer: Type.String(), entries: Type.Integer(), skipped: Type.Optional(Type.Integer()), error: Type.Optional(Type.String()) })),
});
export type HelpSyncReport = Static<typeof HelpSyncReport>;
