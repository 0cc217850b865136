/** External exchanges (src/exchange/exchange-service.ts): APIs, exchanges, their fetch status and reports. */
import { Type, type Static } from 'typebox';
import { AnyJson, IsoTimeOut, Nullable } from './common.js';

export const ExchangeApiInfo = Type.Object({
  name: Type.String(),
  description: Type.String(),
  supports_credentials: Type.Boolean(),
  has_credentials: Type.Boolean(),
  /** The JSON Schemas of an exchange's configuration and of the API's credentials (null: none). */
  config_schema: AnyJson,
  credentials_schema: AnyJson,
});
export type ExchangeApiInfo = Static<typeof ExchangeApiInfo>;

export const ExchangeApiList = Type.Object({ apis: Type.Array(ExchangeApiInfo) });
export type ExchangeApiList = Static<typeof ExchangeApiList>;

export const ExchangeStatus = Type.Object({
  name: Type.String(),
  api: Type.String(),
  enabled: Type.Boolean(),
  checkpoint_ts: Nullable(IsoTimeOut),
  running_fetch_started_at: Nullable(IsoTimeOut),
  last_fetch_completed_at: Nullable(IsoTimeOut),
  last_fetch_succeeded: Nullable(Type.Boolean()),
  up_to_date: Type.Boolean(),
  fetched_items: Type.Integer(),
  unmatchable_items: Type.Integer(),
  rejected_values: Type.Integer({
    description: 'values dropped because they cannot become a signal (e.g. a PDQ that is not 64 hex digits); their entries were applied without them',
  }),
  rejected_reasons: Type.Array(Type.String(), { description: 'why, for the first few of the latest page that had any' }),
  pages: Type.Integer({ description: 'pages that carried something (an empty window moves the checkpoint but is no page)' }),
  last_error: Nullable(Type.String()),
  last_error_code: Nullable(Type.String()),
});
export type ExchangeStatus = Static<typeof ExchangeStatus>;

export const Exchange = Type.Object({
  name: Type.String(),
  api: Type.String(),
  bank: Type.String(),
  enabled: Type.Boolean(),
  config: Type.Record(Type.String(), AnyJson),
  created_at: IsoTimeOut,
  status: ExchangeStatus,
});
export type Exchange = Static<typeof Exchange>;

export const ExchangeList = Type.Object({ exchanges: Type.Array(Exchange) });
export type ExchangeList = Static<typeof ExchangeList>;

export const FetchReport = Type.Object({
  exchange: Type.String(),
  pages: Type.Integer(),
  added: Type.Integer(),
  updated: Type.Integer(),
  deleted: Type.Integer(),
  unmatchable: Type.Integer(),
  rejected: Type.Integer(),
  up_to_date: Type.Boolean(),
  restarted: Type.Boolean(),
  error: Type.Optional(Type.String()),
  error_code: Type.Optional(Type.String()),
});
export type FetchReport = Static<typeof FetchReport>;

export const ExchangeOpinionList = Type.Object({
  opinions: Type.Array(
    Type.Object({
      opinion: Type.String(),
      reason: Nullable(Type.String()),
      status: Type.String(),
      answer: AnyJson,
      error: Nullable(Type.String()),
      sent_at: IsoTimeOut,
    }),
  ),
});
export type ExchangeOpinionList = Static<typeof ExchangeOpinionList>;

/** One source of signals, whatever its kind (src/exchange/exchange-service.ts SourceView). */
export const Source = Type.Object({
  kind: Type.String(),
  name: Type.String(),
  bank: Type.String(),
  enabled: Type.Boolean(),
  state: Type.Union([Type.Literal('disabled'), Type.Literal('fetching'), Type.Literal('failing'), Type.Literal('never_fetched'), Type.Literal('ok')]),
  last_attempt_at: Nullable(IsoTimeOut),
  last_success_at: Nullable(IsoTimeOut),
  last_error: Nullable(Type.String()),
  last_error_code: Nullable(Type.String()),
  items: Type.Number(),
  lag_items: Nullable(Type.Number()),
  up_to_date: Nullable(Type.Boolean()),
  subscription: Nullable(Type.Integer()),
});
export type Source = Static<typeof Source>;

export const SourceList = Type.Object({ sources: Type.Array(Source) });
export type SourceList = Static<typeof SourceList>;
