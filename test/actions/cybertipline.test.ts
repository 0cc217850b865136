/**
 * CyberTipline submission (ESP web services, REFERENCE.md §9) against a protocol stand-in, on both
 * databases: a finished report is submitted once with its file details (hashes, no media); a
 * submission stopped between submit and finish resumes with the stored report id (never a second
 * report); a refusal by the service is kept on the report's view and not retried in a loop; a
 * wrong password is a clear error; a report missing what the CyberTipline requires never reaches
 * the service; a retract before finish works and a finish after it is refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { MediaVault } from '../../src/actions/index.js';
import { loadConfig } from '../../src/config/config.js';
import { openNode } from '../../src/node/node.js';
import { openJobsOfKind } from '../../src/store/index.js';
import { startApi, type TestApi } from '../support/api.js';
import { runCli } from '../support/cli.js';
import { startCyberTiplineStandin, type CyberTiplineStandin } from '../support/cybertipline-standin.js';
import { DIALECTS } from '../support/dialects.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';
import { until } from '../support/until.js';

const hex = (n: number) => randomBytes(n).toString('hex');
const report = (over: Record<string, unknown> = {}) => ({
  incident_type: 'child_pornography',
  incident_at: '2026-11-20T10:00:00Z',
  internet_details: [{ type: 'web_page', value: 'https://host.example/page?a=1&b=<2>' }],
  reported_user: { id: 'user-1', screen_name: 'placeholder', ip_capture_events: [{ ip: '192.0.2.10', event: 'upload', at: '2026-11-20T09:59:00Z' }] },
  files: [
    { file_name: 'a.jpg', hashes: { md5: hex(16) }, classification: 'industry:A1', viewed_by_reporter: true },
    { file_name: 'b & "c".png', hashes: { md5: hex(16), pdq: hex(32) }, publicly_available: false },
  ],
  additional_info: 'generated test report <no content> & nothing else',
  ...over,
});

const ctFlags = (s: CyberTiplineStandin, over: Record<string, string> = {}) => ({
  memberName: 'platform-nl',
  memberCountry: 'NL',
  cybertiplineUrl: s.url,
  cybertiplineUser: s.user,
  cybertiplinePassword: s.password,
  cybertiplineEnvironment: 'test',
  cybertiplineReporterEmail: 'reports@platform.example',
  cybertiplineReporterFirstName: 'Placeholder',
  cybertiplineReporterLastName: 'Reporter',
  cybertiplineTimeoutMs: '1000',
  ...over,
});

/** A finished report made through the API; its id. */
async function finishedReport(api: TestApi, body: Record<string, unknown> = report()): Promise<number> {
  const created = await api.call('POST', '/api/v1/reports', body);
  expect(created.statusCode).toBe(201);
  const id = created.json().id as number;
  expect((await api.call('POST', `/api/v1/reports/${id}/finish`)).statusCode).toBe(200);
  return id;
}

const view = async (api: TestApi, id: number) => (await api.call('GET', `/api/v1/reports/${id}`)).json();
const submit = (api: TestApi, id: number | string, body?: unknown) => api.call('POST', `/api/v1/reports/${encodeURIComponent(String(id))}/cybertipline`, body);

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (n) => n === 'originalFileHash' });

describe.each(DIALECTS)('CyberTipline submission on %s', (dialect) => {
  let standin: CyberTiplineStandin;
  let api: TestApi;
  beforeAll(async () => {
    standin = await startCyberTiplineStandin();
    api = await startApi(dialect, ctFlags(standin));
  });
  afterAll(async () => {
    await api?.close();
    await standin?.close();
  });

  it('submits a finished report once, finished, with its file details as hashes only', async () => {
    const before = standin.reports.length;
    const body = report();
    const id = await finishedReport(api, body);
    const uid = (await view(api, id)).uid as string;
    const asked = await submit(api, uid);
    expect(asked.statusCode).toBe(202);
    expect(asked.json().cybertipline).toMatchObject({ status: 'pending', environment: 'test', report_id: null });
    await api.node.jobs.tick();
    const v = await view(api, id);
    expect(standin.reports.length).toBe(before + 1);
    const sent = standin.reports.at(-1)!;
    expect(v.cybertipline).toEqual({
      status: 'finished',
      environment: 'test',
      report_id: sent.id,
      response_code: 0,
      error: null,
      finished_at: expect.any(String),
    });
    expect([sent.finished, sent.retracted, sent.files]).toEqual([true, false, []]); // no media uploaded by default
    // The report XML: XSD order, every text escaped and read back as it was.
    expect(Object.keys(sent.doc).filter((k) => !k.startsWith('@'))).toEqual([
      'incidentSummary',
      'internetDetails',
      'reporter',
      'personOrUserReported',
      'additionalInfo',
    ]);
    expect(sent.doc.incidentSummary).toEqual({
      incidentType: 'Child Pornography (possession, manufacture, and distribution)',
      incidentDateTime: '2026-11-20T10:00:00.000Z',
    });
    expect(sent.doc.internetDetails).toEqual([{ webPageIncident: { url: body.internet_details[0].value } }]);
    expect(sent.doc.reporter.reportingPerson).toEqual({ firstName: 'Placeholder', lastName: 'Reporter', email: 'reports@platform.example' });
    expect(sent.doc.personOrUserReported.ipCaptureEvent).toEqual([{ ipAddress: '192.0.2.10', eventName: 'Upload', dateTime: '2026-11-20T09:59:00.000Z' }]);
    expect(sent.doc.additionalInfo).toBe(body.additional_info);
    // One file details per file, with its hashes (and no file id: nothing was uploaded).
    const details = sent.details.map((d) => ({
      name: d.originalFileName,
      fileId: d.fileId,
      hashes: Object.fromEntries((d.originalFileHash as Array<{ '#text': string; '@hashType': string }>).map((h) => [h['@hashType'], h['#text']])),
      classification: d.industryClassification,
    }));
    expect(details).toEqual([
      { name: 'a.jpg', fileId: undefined, hashes: { MD5: body.files[0].hashes.md5 }, classification: 'A1' },
      { name: 'b & "c".png', fileId: undefined, hashes: { MD5: body.files[1].hashes.md5, PDQ: body.files[1].hashes.pdq }, classification: undefined },
    ]);
    // Asked again: nothing more is sent.
    const submits = standin.count('submit');
    expect((await submit(api, id)).statusCode).toBe(202);
    await api.node.jobs.tick();
    expect([standin.count('submit'), standin.reports.length, (await view(api, id)).cybertipline.status]).toEqual([submits, before + 1, 'finished']);
  });

  it('resumes a submission stopped between submit and finish with the stored report id, never a second one', async () => {
    const before = standin.reports.length;
    const id = await finishedReport(api);
    // The service stops answering the second file's details, then the finish (their answer is lost).
    standin.hang('fileinfo', 'before'); // first file: never done
    await submit(api, id);
    await api.node.jobs.tick(); // submit answered, the first fileinfo times out: the job fails, to be retried
    const stopped = (await view(api, id)).cybertipline;
    expect(stopped).toMatchObject({ status: 'open', report_id: standin.reports.at(-1)!.id, error: expect.stringMatching(/did not answer within 1 s/) });
    expect(standin.reports.length).toBe(before + 1);
    expect(standin.reports.at(-1)!.details.length).toBe(0);
    standin.hang('finish', 'after'); // done by the service, its answer lost
    const finishes = standin.count('finish');
    // The job's retry (after its back-off) continues with the stored report id.
    await until(async () => {
      await api.node.jobs.tick();
      return standin.count('finish') > finishes ? true : undefined;
    }, 'the retry to reach finish');
    expect((await view(api, id)).cybertipline.status).toBe('open');
    expect(standin.reports.at(-1)!.finished).toBe(true);
    const done = await until(async () => {
      await api.node.jobs.tick();
      const c = (await view(api, id)).cybertipline;
      return c.status === 'finished' ? c : undefined;
    }, 'the submission to finish');
    // The second finish was answered "already finished" (5102): taken as done.
    expect(done).toMatchObject({ status: 'finished', report_id: stopped.report_id, response_code: 5102, error: null });
    expect(standin.reports.length).toBe(before + 1);
    expect(standin.reports.at(-1)!.details.length).toBe(2);
    expect(standin.count('finish')).toBe(finishes + 2);
  });

  it('never sends a submit again whose answer was lost, until asked to with resubmit', async () => {
    const id = await finishedReport(api);
    const created = standin.reports.length;
    const submits = standin.count('submit');
    standin.hang('submit', 'after'); // the service opens the report; its answer never arrives
    await submit(api, id);
    for (let i = 0; i < 3; i++) await api.node.jobs.tick();
    expect((await view(api, id)).cybertipline).toMatchObject({
      status: 'uncertain',
      report_id: null,
      error: expect.stringMatching(/may have opened a report; check there, then submit again with --resubmit/),
    });
    expect([standin.count('submit'), standin.reports.length]).toEqual([submits + 1, created + 1]);
    const again = await submit(api, id);
    expect([again.statusCode, again.json().code]).toEqual([409, 'CYBERTIPLINE_STATE']);
    await api.node.jobs.tick();
    expect(standin.count('submit')).toBe(submits + 1);
    // Someone checked: submitted afresh on request.
    expect((await submit(api, id, { resubmit: true })).statusCode).toBe(202);
    await api.node.jobs.tick();
    expect((await view(api, id)).cybertipline).toMatchObject({ status: 'finished', report_id: standin.reports.at(-1)!.id });
    expect(standin.reports.length).toBe(created + 2);
  });

  it('keeps a refusal by the service on the report and does not retry it in a loop', async () => {
    const id = await finishedReport(api);
    standin.reject('submit', 4100, 'Report XML failed schema validation: incidentSummary/placeholder');
    const submits = standin.count('submit');
    const created = standin.reports.length;
    await submit(api, id);
    for (let i = 0; i < 3; i++) await api.node.jobs.tick();
    const v = (await view(api, id)).cybertipline;
    expect(v).toEqual({
      status: 'rejected',
      environment: 'test',
      report_id: null,
      response_code: 4100,
      error: 'submit: Report XML failed schema validation: incidentSummary/placeholder (responseCode 4100)',
      finished_at: null,
    });
    expect([standin.count('submit'), standin.reports.length]).toEqual([submits + 1, created]);
    const jobsOf = async () =>
      (await openJobsOfKind(api.node.store.db, 'report.cybertipline')).filter((j) => (j.data as { report_id: number }).report_id === id);
    expect(await jobsOf()).toEqual([]);
    // Asked again explicitly, it is sent again (and the stand-in takes it this time).
    await submit(api, id);
    await api.node.jobs.tick();
    expect((await view(api, id)).cybertipline).toMatchObject({ status: 'finished', error: null });
    expect(standin.reports.length).toBe(created + 1);
  });

  it('checks a report against what the CyberTipline requires before anything is sent', async () => {
    const requests = standin.requests.length;
    const { incident_at: _, ...noTime } = report();
    const id = await finishedReport(api, noTime);
    const r = await submit(api, id);
    expect([r.statusCode, r.json().code, r.json().message]).toEqual([
      400,
      'REPORT_INVALID',
      expect.stringMatching(/^incidentSummary\.incidentDateTime \(incident_at\): missing/),
    ]);
    const draft = (await api.call('POST', '/api/v1/reports', report())).json();
    expect((await submit(api, draft.id)).json()).toMatchObject({ code: 'REPORT_INVALID', message: expect.stringMatching(/is a draft/) });
    await api.node.jobs.tick();
    expect(standin.requests.length).toBe(requests);
    expect((await view(api, id)).cybertipline).toBeNull();
  });

  it('retracts an unfinished report, and refuses a finish after the retract', async () => {
    const id = await finishedReport(api);
    standin.hang('finish', 'before');
    await submit(api, id);
    await api.node.jobs.tick();
    const open = (await view(api, id)).cybertipline;
    expect(open.status).toBe('open');
    const r = await api.call('POST', `/api/v1/reports/${id}/cybertipline/retract`);
    expect([r.statusCode, r.json().cybertipline?.status ?? r.json()]).toEqual([200, 'retracted']);
    const sent = standin.reports.find((x) => x.id === open.report_id)!;
    expect([sent.retracted, sent.finished]).toEqual([true, false]);
    const finishes = standin.count('finish');
    // The queued retry finds it retracted and sends nothing; asking again is refused.
    await until(async () => {
      await api.node.jobs.tick();
      return (await openJobsOfKind(api.node.store.db, 'report.cybertipline')).length === 0 ? true : undefined;
    }, 'the queued retry to run');
    expect(standin.count('finish')).toBe(finishes);
    const again = await submit(api, id);
    expect([again.statusCode, again.json().code, again.json().message]).toEqual([
      409,
      'CYBERTIPLINE_STATE',
      expect.stringMatching(/finish after a retract is refused/),
    ]);
    // The service itself refuses a finish after a retract.
    const finish = await fetch(`${standin.url}/finish`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${standin.user}:${standin.password}`).toString('base64')}` },
      body: new URLSearchParams({ id: open.report_id }),
    });
    expect([finish.status, xml.parse(await finish.text()).reportDoneResponse.responseCode]).toEqual([200, '5101']);
    expect(sent.finished).toBe(false);
    // A finished report cannot be retracted.
    const done = await finishedReport(api);
    await submit(api, done);
    await api.node.jobs.tick();
    expect((await api.call('POST', `/api/v1/reports/${done}/cybertipline/retract`)).json().code).toBe('CYBERTIPLINE_STATE');
  });
});

describe('a serve process killed between submit and finish', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-ct-kill-'));
  let standin: CyberTiplineStandin;
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await standin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes after a restart with the stored report id: one report, finished, every file detailed once', async () => {
    standin = await startCyberTiplineStandin();
    const env = {
      ALLIANCE_DATA_DIR: dir,
      ALLIANCE_MEMBER_NAME: 'platform-nl',
      ALLIANCE_MEMBER_COUNTRY: 'NL',
      ALLIANCE_SYNC_INTERVAL_MS: '0',
      ALLIANCE_CYBERTIPLINE_URL: standin.url,
      ALLIANCE_CYBERTIPLINE_USER: standin.user,
      ALLIANCE_CYBERTIPLINE_PASSWORD: standin.password,
      ALLIANCE_CYBERTIPLINE_REPORTER_EMAIL: 'reports@platform.example',
      ALLIANCE_CYBERTIPLINE_TIMEOUT_MS: '60000',
    };
    server = await startServer([], env);
    const token = server.token!;
    const created = await http(`${server.url}/api/v1/reports`, token, 'POST', report());
    expect(created.status).toBe(201);
    const id = created.json.id as number;
    expect((await http(`${server.url}/api/v1/reports/${id}/finish`, token, 'POST')).status).toBe(200);
    standin.hang('fileinfo', 'before'); // the first file's details hang: the process is killed meanwhile
    expect((await http(`${server.url}/api/v1/reports/${id}/cybertipline`, token, 'POST')).status).toBe(202);
    await until(() => (standin.count('fileinfo') >= 1 ? true : undefined), 'the first file details to be sent');
    await server.stop('SIGKILL');
    expect(standin.reports.length).toBe(1);
    expect([standin.reports[0].finished, standin.reports[0].details.length]).toEqual([false, 0]);
    server = await startServer([], env);
    const done = await until(async () => {
      const c = (await http(`${server!.url}/api/v1/reports/${id}`, token)).json.cybertipline;
      return c?.status === 'finished' ? c : undefined;
    }, 'the restarted node to finish the submission');
    expect(done.report_id).toBe(standin.reports[0].id);
    expect(standin.reports.length).toBe(1);
    expect(standin.count('submit')).toBe(1);
    expect([standin.reports[0].finished, standin.reports[0].details.length]).toEqual([true, 2]);
  });
});

describe('CyberTipline credentials and configuration', () => {
  let standin: CyberTiplineStandin;
  let api: TestApi;
  beforeAll(async () => {
    standin = await startCyberTiplineStandin();
    api = await startApi('sqlite', ctFlags(standin, { cybertiplinePassword: 'not-the-password' }));
  });
  afterAll(async () => {
    await api?.close();
    await standin?.close();
  });

  it('says a wrong password clearly, creates nothing and does not retry', async () => {
    const id = await finishedReport(api);
    await submit(api, id);
    for (let i = 0; i < 3; i++) await api.node.jobs.tick();
    expect((await view(api, id)).cybertipline).toMatchObject({
      status: 'pending',
      report_id: null,
      error: expect.stringMatching(/refused the credentials \(HTTP 401\): check ALLIANCE_CYBERTIPLINE_USER and its password/),
    });
    expect([standin.count('submit'), standin.reports.length]).toEqual([0, 0]);
    expect(standin.requests.filter((r) => !r.authorised).length).toBe(1);
    // The CLI says the same, with the error's code.
    const cli = await runCli(['report', 'submit-cybertipline', String(id), '--data', api.env.dataDir], {
      env: {
        ALLIANCE_CYBERTIPLINE_URL: standin.url,
        ALLIANCE_CYBERTIPLINE_USER: standin.user,
        ALLIANCE_CYBERTIPLINE_PASSWORD: 'still-wrong',
        ALLIANCE_CYBERTIPLINE_REPORTER_EMAIL: 'reports@platform.example',
      },
    });
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/refused the credentials \(HTTP 401\): check ALLIANCE_CYBERTIPLINE_USER and its password/);
    expect(standin.reports.length).toBe(0);
  });

  it('uploads a file only where the node allows it and the review media is still kept', async () => {
    const up = await startCyberTiplineStandin();
    const node = await startApi('sqlite', ctFlags(up, { cybertiplineUploadFiles: 'true' }));
    try {
      const actor = await node.node.operator();
      const bytes = randomBytes(2048); // neutral generated bytes
      const one = (n: number) => report({ files: [{ file_name: `f${n}.bin`, hashes: { md5: hex(16) } }] });
      const kept = await node.node.reports.create(actor, one(1), { review_id: 9001 });
      await node.node.reports.finish(actor, kept.id);
      await new MediaVault(node.env.dataDir).put(9001, bytes);
      const gone = await node.node.reports.create(actor, one(2), { review_id: 9002 });
      await node.node.reports.finish(actor, gone.id);
      for (const id of [kept.id, gone.id]) {
        await submit(node, id);
        await node.node.jobs.tick();
        expect((await view(node, id)).cybertipline.status).toBe('finished');
      }
      const [withFile, hashOnly] = up.reports;
      expect(withFile.files).toEqual([{ fileId: expect.any(String), name: 'f1.bin', size: 2048, hash: createHash('md5').update(bytes).digest('hex') }]);
      expect(withFile.details.map((d) => d.fileId)).toEqual([withFile.files[0].fileId]);
      // The second review's media is no longer kept: its details carry the hashes only.
      expect([hashOnly.files, hashOnly.details.map((d) => d.fileId)]).toEqual([[], [undefined]]);
      expect(up.count('upload')).toBe(1);
    } finally {
      await node.close();
      await up.close();
    }
  });

  it('sends a report finished in the test environment afresh to production', async () => {
    const up = await startCyberTiplineStandin();
    const dir = mkdtempSync(join(tmpdir(), 'alliance-ct-env-'));
    const open = (environment: string) =>
      openNode(loadConfig({ dataDir: dir, logLevel: 'silent', ...ctFlags(up, { cybertiplineEnvironment: environment }) }, {}));
    try {
      let node = await open('test');
      const actor = await node.operator();
      const r = await node.reports.create(actor, report());
      await node.reports.finish(actor, r.id);
      const test = await node.cybertipline.submitNow(actor, r.id);
      expect(test).toMatchObject({ status: 'finished', environment: 'test', report_id: up.reports[0].id });
      await node.cybertipline.request(actor, r.id); // again, same environment: nothing more
      await node.close();
      node = await open('production');
      const production = await node.cybertipline.submitNow(await node.operator(), r.id);
      expect(production).toMatchObject({ status: 'finished', environment: 'production', report_id: up.reports[1].id });
      expect((await node.reports.get(await node.operator(), r.id)).cybertipline).toEqual(production);
      expect(up.reports.length).toBe(2);
      await node.close();
    } finally {
      await up.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is off unless configured, and refuses a half configuration', async () => {
    const off = await startApi('sqlite');
    try {
      const id = await finishedReport(off);
      const r = await submit(off, id);
      expect([r.statusCode, r.json().code]).toEqual([409, 'CYBERTIPLINE_OFF']);
    } finally {
      await off.close();
    }
    expect(() => loadConfig({ dataDir: '/tmp/x', cybertiplineUser: 'u' }, {})).toThrow(/ALLIANCE_CYBERTIPLINE_PASSWORD/);
    expect(() => loadConfig({ dataDir: '/tmp/x', cybertiplineUser: 'u', cybertiplinePassword: 'p', cybertiplineEnvironment: 'staging' }, {})).toThrow(
      /test or production/,
    );
    expect(loadConfig({ dataDir: '/tmp/x', cybertiplineUser: 'u', cybertiplinePassword: 'p' }, {}).cybertipline).toMatchObject({
      environment: 'test',
      uploadFiles: false,
      url: 'https://exttest.cybertip.org/ispws',
    });
    expect(loadConfig({ dataDir: '/tmp/x' }, {}).cybertipline).toBeNull();
  });
});
