/**
 * The HMA-compatible surface's answers (docs/hma-api.md): Meta's Hasher-Matcher-Actioner shapes,
 * kept exactly — many are dicts keyed by bank name or HMA signal type name (Type.Record).
 */
import { Type, type Static } from 'typebox';
import { AnyJson, Nullable } from './common.js';

/** HMA signal type name → hash in HMA's form (GET and POST /h/hash). */
export const HmaHashes = Type.Record(Type.String(), Type.String());
export type HmaHashes = Static<typeof HmaHashes>;

/** A match as HMA writes it: the content id and its distance as text. */
export const HmaMatch = Type.Object({ bank_content_id: Type.Integer(), distance: Type.String() });
export type HmaMatch = Static<typeof HmaMatch>;

/** GET /m/raw_lookup: the matching content ids, or with `include_distance` the matches with their distances. */
export const HmaRawLookupIds = Type.Object({ matches: Type.Array(Type.Integer()) });
export type HmaRawLookupIds = Static<typeof HmaRawLookupIds>;
export const HmaRawLookupDistances = Type.Object({ matches: Type.Array(HmaMatch) });
export type HmaRawLookupDistances = Static<typeof HmaRawLookupDistances>;
/** Two branches only, ids first (the common answer, and bench:match's). */
export const HmaRawLookup = Type.Union([HmaRawLookupIds, HmaRawLookupDistances]);
export type HmaRawLookup = Static<typeof HmaRawLookup>;

/** Bank name → the matches in that bank (a lookup of one signal). */
export const HmaBankMatches = Type.Record(Type.String(), Type.Array(HmaMatch));
export type HmaBankMatches = Static<typeof HmaBankMatches>;

/** HMA signal type name → bank name → matches (a lookup of media, hashed with several types). */
export const HmaTypedBankMatches = Type.Record(Type.String(), HmaBankMatches);
export type HmaTypedBankMatches = Static<typeof HmaTypedBankMatches>;

/** GET /m/lookup: by signal (or ?url= with signal_type) bank → matches; by ?url= alone, type → bank → matches. */
export const HmaLookup = Type.Union([HmaBankMatches, HmaTypedBankMatches]);
export type HmaLookup = Static<typeof HmaLookup>;

/** GET /m/index/status: HMA signal type name → the index of that type. */
export const HmaIndexStatus = Type.Record(Type.String(), Type.Object({ built_to: Type.Integer(), present: Type.Boolean(), size: Type.Integer() }));
export type HmaIndexStatus = Static<typeof HmaIndexStatus>;

/** POST /m/compare: HMA signal type name → [matched, detail (e.g. {distance})]. */
export const HmaCompare = Type.Record(Type.String(), Type.Tuple([Type.Boolean(), Type.Record(Type.String(), Type.Number())]));
export type HmaCompare = Static<typeof HmaCompare>;

/** GET /site-map: the surface's paths. */
export const HmaSiteMap = Type.Array(Type.String());
export type HmaSiteMap = Static<typeof HmaSiteMap>;

export const HmaBank = Type.Object({ matching_enabled_ratio: Type.Number(), name: Type.String() });
export type HmaBank = Static<typeof HmaBank>;

export const HmaBankList = Type.Array(HmaBank);
export type HmaBankList = Static<typeof HmaBankList>;

export const HmaMessage = Type.Object({ message: Type.String() });
export type HmaMessage = Static<typeof HmaMessage>;

/** Content added to a bank: its id and signals (HMA type name → hash). */
export const HmaContentAdded = Type.Object({ id: Type.Integer(), signals: HmaHashes });
export type HmaContentAdded = Static<typeof HmaContentAdded>;

/** HMA's content metadata: collab, content_id, content_uri, json (null unless given). */
const HmaMetadata = Type.Record(Type.String(), AnyJson);

/** GET /c/bank/<name>/content/<id>: disable_until_ts is 0 forever, 1 enabled, else unix seconds. */
export const HmaContent = Type.Object({
  bank: HmaBank,
  disable_until_ts: Type.Integer(),
  id: Type.Integer(),
  original_media_uri: Type.Null(),
  metadata: Type.Optional(HmaMetadata),
  note: Type.Optional(Type.String()),
  signals: Type.Optional(HmaHashes),
});
export type HmaContent = Static<typeof HmaContent>;

/** PUT /c/bank/<name>/content/<id>. */
export const HmaContentUpdated = Type.Object({
  bank: HmaBank,
  collab_metadata: Type.Object({}),
  disable_until_ts: Type.Integer(),
  id: Type.Integer(),
  note: Nullable(Type.String()),
  original_media_uri: Type.Null(),
  user_metadata: Nullable(HmaMetadata),
});
export type HmaContentUpdated = Static<typeof HmaContentUpdated>;

export const HmaDeleted = Type.Object({ deleted: Type.Integer() });
export type HmaDeleted = Static<typeof HmaDeleted>;

export const HmaSignalTypeList = Type.Array(Type.Object({ enabled_ratio: Type.Number(), name: Type.String() }));
export type HmaSignalTypeList = Static<typeof HmaSignalTypeList>;

export const HmaContentTypeList = Type.Array(Type.Object({ enabled: Type.Boolean(), name: Type.String() }));
export type HmaContentTypeList = Static<typeof HmaContentTypeList>;

/** GET /c/exchanges/apis and GET /c/exchanges: names. */
export const HmaNameList = Type.Array(Type.String());
export type HmaNameList = Static<typeof HmaNameList>;

/** GET|POST /c/exchanges/api/<api> (HMA's spelling). Credentials themselves are never returned. */
export const HmaExchangeApiAuth = Type.Object({ supports_authentification: Type.Boolean(), has_set_authentification: Type.Boolean() });
export type HmaExchangeApiAuth = Static<typeof HmaExchangeApiAuth>;

/** One field of an exchange API's configuration or credentials, as HMA describes it for a form. */
export const HmaSchemaField = Type.Object({
  name: Type.String(),
  /** "string", "number", "boolean", "enum", "list_of_string", "set_of_number", … */
  type: Type.String(),
  required: Type.Boolean(),
  default: AnyJson,
  help: Type.String(),
  choices: Nullable(Type.Array(AnyJson)),
});
export type HmaSchemaField = Static<typeof HmaSchemaField>;

const HmaFields = Type.Object({ fields: Type.Array(HmaSchemaField) });

/** GET /c/exchanges/api/<api>/schema: credentials_schema is null for an API that takes none. */
export const HmaExchangeApiSchema = Type.Object({ config_schema: HmaFields, credentials_schema: Nullable(HmaFields) });
export type HmaExchangeApiSchema = Static<typeof HmaExchangeApiSchema>;

/** GET and PUT /c/exchange/<name>: name, api, enabled and the API's own configuration fields. */
export const HmaExchangeConfig = Type.Object({ name: Type.String(), api: Type.String(), enabled: Type.Boolean() }, { additionalProperties: AnyJson });
export type HmaExchangeConfig = Static<typeof HmaExchangeConfig>;

/** GET /c/exchange/<name>/status: times in unix seconds (null before a fetch). */
export const HmaFetchStatus = Type.Object({
  checkpoint_ts: Nullable(Type.Integer()),
  running_fetch_start_ts: Nullable(Type.Integer()),
  last_fetch_complete_ts: Nullable(Type.Integer()),
  last_fetch_succeeded: Nullable(Type.Boolean()),
  up_to_date: Type.Boolean(),
  fetched_items: Type.Integer(),
});
export type HmaFetchStatus = Static<typeof HmaFetchStatus>;

/** GET /c/signal_type/index: HMA signal type name → its index against the database. */
export const HmaSignalTypeIndex = Type.Record(
  Type.String(),
  Type.Object({
    db_size: Type.Integer(),
    index_size: Type.Integer(),
    index_out_of_date: Type.Boolean(),
    newest_db_item: Type.Integer(),
    index_built_to: Type.Integer(),
  }),
);
export type HmaSignalTypeIndex = Static<typeof HmaSignalTypeIndex>;
