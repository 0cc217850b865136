/**
 * Alliance's incident report as the CyberTipline's report XML (ESP web services, REFERENCE.md §6
 * and §9): elements in the XSD's order — incidentSummary (incidentType, reportAnnotations,
 * incidentDateTime), internetDetails*, reporter (reportingPerson), personOrUserReported?,
 * additionalInfo? — and each file's `<fileDetails>`. Every text is escaped. The report is checked
 * against the report model first: a missing required field is REPORT_INVALID naming it, and
 * nothing is sent.
 */
import { XMLValidator } from 'fast-xml-parser';
import { AllianceError } from '../../errors/catalogue.js';
import { checkReport, type ReportBody, type ReportFile } from '../report-model.js';

/** The CyberTipline's incidentType values, per report-model incident type. */
const INCIDENT_TYPE_TEXT: Record<string, string> = {
  child_pornography: 'Child Pornography (possession, manufacture, and distribution)',
  child_sex_trafficking: 'Child Sex Trafficking',
  child_sex_tourism: 'Child Sex Tourism',
  child_sexual_molestation: 'Child Sexual Molestation',
  misleading_domain_name: 'Misleading Domain Name',
  misleading_words_or_digital_images: 'Misleading Words or Digital Images on the Internet',
  online_enticement: 'Online Enticement of Children for Sexual Acts',
  unsolicited_obscene_material_to_child: 'Unsolicited Obscene Material Sent to a Child',
};

/** internetDetails children per internet detail type, and the element its value goes in. */
const INTERNET_DETAIL: Record<string, { element: string; value: string }> = {
  web_page: { element: 'webPageIncident', value: 'url' },
  social_media: { element: 'webPageIncident', value: 'url' },
  email: { element: 'emailIncident', value: 'emailAddress' },
  newsgroup: { element: 'newsgroupIncident', value: 'additionalInfo' },
  chat_im: { element: 'chatImIncident', value: 'additionalInfo' },
  online_gaming: { element: 'onlineGamingIncident', value: 'additionalInfo' },
  cell_phone: { element: 'cellPhoneIncident', value: 'additionalInfo' },
  non_internet: { element: 'nonInternetIncident', value: 'additionalInfo' },
  peer_to_peer: { element: 'peer2peerIncident', value: 'additionalInfo' },
};

const EVENT_NAMES: Record<string, string> = { upload: 'Upload', login: 'Login', registration: 'Registration', purchase: 'Purchase', other: 'Other' };

export interface Reporter {
  email: string | null;
  firstName: string | null;
  lastName: string | null;
}

export const escapeXml = (s: string): string =>
  s
    .replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!)
    // eslint-disable-next-line no-control-regex -- XML 1.0 cannot carry these control characters: they are removed
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const el = (name: string, v: string | undefined | null, indent: string) =>
  v === undefined || v === null || v === '' ? '' : `${indent}<${name}>${escapeXml(v)}</${name}>\n`;
const group = (name: string, inner: string, indent: string) => (inner ? `${indent}<${name}>\n${inner}${indent}</${name}>\n` : '');

const invalid = (field: string, why: string) => new AllianceError('REPORT_INVALID', `${field}: ${why} (the CyberTipline requires it; nothing was sent)`);

/**
 * The report XML, or REPORT_INVALID naming the first required field that is missing. The body is
 * checked as a finished report (report-model.ts) and then for what the CyberTipline's XSD requires.
 */
export function cybertiplineReportXml(input: unknown, reporter: Reporter): { xml: string; body: ReportBody } {
  const body = checkReport(input, true);
  if (!INCIDENT_TYPE_TEXT[body.incident_type]) throw invalid('incidentSummary.incidentType (incident_type)', 'missing');
  if (!body.incident_at) throw invalid('incidentSummary.incidentDateTime (incident_at)', 'missing');
  if (!reporter.email) throw invalid('reporter.reportingPerson.email', 'missing: set ALLIANCE_CYBERTIPLINE_REPORTER_EMAIL');
  const i1 = '  ';
  const i2 = '    ';
  const i3 = '      ';
  const summary =
    el('incidentType', INCIDENT_TYPE_TEXT[body.incident_type], i2) +
    (body.escalate_to_high_priority ? el('escalateToHighPriority', 'Escalated by the reporting member', i2) : '') +
    group('reportAnnotations', (body.annotations ?? []).map((a) => `${i3}<${camel(a)}/>\n`).join(''), i2) +
    el('incidentDateTime', new Date(body.incident_at).toISOString(), i2);
  const internet = (body.internet_details ?? [])
    .map((d) => {
      const m = INTERNET_DETAIL[d.type]!;
      return group('internetDetails', group(m.element, el(m.value, d.value, `${i3}  `), i3), i1);
    })
    .join('');
  const reporterXml = group(
    'reporter',
    group('reportingPerson', el('firstName', reporter.firstName, i3) + el('lastName', reporter.lastName, i3) + el('email', reporter.email, i3), i2),
    i1,
  );
  const u = body.reported_user;
  const reported = u
    ? group(
        'personOrUserReported',
        group('personOrUserReportedPerson', el('email', u.email, i3), i2) +
          el('espIdentifier', u.id, i2) +
          el('screenName', u.screen_name, i2) +
          el('displayName', u.name, i2) +
          (u.ip_capture_events ?? [])
            .map((e) =>
              group(
                'ipCaptureEvent',
                el('ipAddress', e.ip, i3) + el('eventName', EVENT_NAMES[e.event], i3) + el('dateTime', e.at ? new Date(e.at).toISOString() : null, i3),
                i2,
              ),
            )
            .join('') +
          el('additionalInfo', u.country ? `Account country: ${u.country}` : null, i2),
        i1,
      )
    : '';
  const hints = (body.location_hints ?? []).map((h) => `Location hint (${h.source}): ${[h.country, h.detail].filter(Boolean).join(', ')}`);
  const info = [body.additional_info, ...hints].filter(Boolean).join('\n');
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<report xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://report.cybertip.org/ispws/xsd">\n` +
    group('incidentSummary', summary, i1) +
    internet +
    reporterXml +
    reported +
    el('additionalInfo', info || null, i1) +
    `</report>\n`;
  if (XMLValidator.validate(xml) !== true) throw new AllianceError('INTERNAL', 'the CyberTipline report XML built here is not well-formed');
  return { xml, body };
}

/** The industry classification (A1…B2) of an `industry:` label, if it is one. */
const industry = (label: string | undefined) => /^industry:([AB][12])$/.exec(label ?? '')?.[1];

/**
 * One file's `<fileDetails>` in the XSD's order: reportId, fileId (when the file was uploaded),
 * originalFileName, locationOfFile, fileViewedByEsp, publiclyAvailable, fileAnnotations,
 * industryClassification, originalFileHash (one per hash, its type in `hashType`).
 */
export function fileDetailsXml(reportId: string, fileId: string | null, f: ReportFile): string {
  const i = '  ';
  const bool = (v: boolean | undefined) => (v === undefined ? null : String(v));
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<fileDetails>\n` +
    el('reportId', reportId, i) +
    el('fileId', fileId, i) +
    el('originalFileName', f.file_name, i) +
    el('locationOfFile', f.location_url, i) +
    el('fileViewedByEsp', bool(f.viewed_by_reporter), i) +
    el('publiclyAvailable', bool(f.publicly_available), i) +
    group('fileAnnotations', (f.annotations ?? []).map((a) => `${i}  <${camel(a)}/>\n`).join(''), i) +
    el('industryClassification', industry(f.classification), i) +
    Object.entries(f.hashes)
      .map(([type, value]) => `${i}<originalFileHash hashType="${escapeXml(type.toUpperCase())}">${escapeXml(value)}</originalFileHash>\n`)
      .join('') +
    `</fileDetails>\n`
  );
}
