/** What src/operations/ offers the rest of src/ (joint operations: docs/operations.md). */
export { attribute, type Attribution, type Confidence, countryOfEmailDomain, type Reason } from './attribution.js';
export {
  type CountryLine,
  type HashMatch,
  type OperationInput,
  OperationService,
  type OperationView,
  TARGET_STATUSES,
  type TargetView,
} from './operation-service.js';
export { MAX_TARGETS, readTargets, TARGET_FIELDS, targetRecords, type TargetIdentifiers, type TargetRecord } from './targets-file.js';
export { type HandlingInput, type InboxView, LEAD_PACKAGE_JOB, LEAD_UPDATE_JOB, LeadService, OUTCOMES, type PackageTarget, type PackageView } from './leads.js';
export { median, type Picture, type PictureDay, type PictureLine, PictureService, type PictureSignature, pictureCsv, PICTURE_CSV_HEADER } from './picture.js';
