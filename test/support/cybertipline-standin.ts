/**
 * A stand-in for the CyberTipline's ESP web services (REFERENCE.md §9) on 127.0.0.1: HTTP Basic,
 * `GET /ispws/status`, `POST /ispws/submit` (report XML) → `<reportResponse>` with a new reportId,
 * `POST /ispws/upload` (multipart id + file) → fileId and hash, `POST /ispws/fileinfo`
 * (`<fileDetails>`), `POST /ispws/finish` and `/ispws/retract` (form id) → `<reportDoneResponse>`.
 * Like the real service it answers HTTP 200 for what it refuses, with a non-zero responseCode:
 * 4100 for a report that fails its checks, 5101 already retracted, 5102 already finished. Only a
 * wrong password is HTTP 401 (the web server's Basic challenge).
 *
 * Its failure modes, for tests: `reject(step, code, text)` refuses the next request of a step;
 * `hang(path, 'before')` holds the next request without doing it (a service that stopped);
 * `hang(path, 'after')` does it and drops the connection without an answer (the answer is lost).
 * Every request is logged; every report opened is kept with its files, details and state.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { XMLParser } from 'fast-xml-parser';

export interface StandinReport {
  id: string;
  xml: string;
  doc: Record<string, any>;
  files: Array<{ fileId: string; name: string; size: number; hash: string }>;
  details: Array<Record<string, any>>;
  finished: boolean;
  retracted: boolean;
}

type Step = 'submit' | 'upload' | 'fileinfo' | 'finish' | 'retract';

export interface CyberTiplineStandin {
  /** The base URL, …/ispws. */
  url: string;
  user: string;
  password: string;
  reports: StandinReport[];
  /** Every request: its path and whether its credentials were good. */
  requests: Array<{ method: string; path: string; authorised: boolean }>;
  /** Refuses the next `times` requests of `step` with this responseCode and description (HTTP 200). */
  reject(step: Step, code: number, description: string, times?: number): void;
  /** Holds the next `times` requests to `step`: 'before' doing anything, or 'after' doing it (the answer is lost). */
  hang(step: Step, mode: 'before' | 'after', times?: number): void;
  count(step: Step): number;
  close(): Promise<void>;
}

const INCIDENT_TYPES = new Set([
  'Child Pornography (possession, manufacture, and distribution)',
  'Child Sex Trafficking',
  'Child Sex Tourism',
  'Child Sexual Molestation',
  'Misleading Domain Name',
  'Misleading Words or Digital Images on the Internet',
  'Online Enticement of Children for Sexual Acts',
  'Unsolicited Obscene Material Sent to a Child',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => ['internetDetails', 'originalFileHash', 'ipCaptureEvent'].includes(name),
});

const answer = (root: string, code: number, description: string, extra = '') =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<${root}><responseCode>${code}</responseCode><responseDescription>${description}</responseDescription>${extra}</${root}>`;

export async function startCyberTiplineStandin(opts: { user?: string; password?: string } = {}): Promise<CyberTiplineStandin> {
  const user = opts.user ?? 'esp-user';
  const password = opts.password ?? `pw-${randomUUID()}`;
  const reports: StandinReport[] = [];
  const requests: CyberTiplineStandin['requests'] = [];
  const rejections: Array<{ step: Step; code: number; description: string }> = [];
  const hangs: Array<{ step: Step; mode: 'before' | 'after' }> = [];
  const sockets = new Set<Socket>();
  let nextId = 1000 + Math.floor(Math.random() * 1000);

  const body = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const find = (id: unknown) => reports.find((r) => r.id === String(id ?? '').trim());

  /** The step's answer (XML), from its body. */
  async function handle(step: Step, req: IncomingMessage, raw: Buffer): Promise<string> {
    const rejection = rejections.findIndex((r) => r.step === step);
    if (rejection >= 0) {
      const [r] = rejections.splice(rejection, 1);
      return answer(step === 'finish' || step === 'retract' ? 'reportDoneResponse' : 'reportResponse', r.code, r.description);
    }
    const form = async () => {
      const request = new Request('http://standin/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: raw });
      return request.formData();
    };
    if (step === 'submit') {
      const text = raw.toString('utf8');
      let doc: Record<string, any>;
      try {
        doc = parser.parse(text, true) as Record<string, any>;
      } catch (err) {
        return answer('reportResponse', 4100, `Report XML is not well-formed: ${(err as Error).message.slice(0, 100)}`);
      }
      const r = doc.report;
      const missing = !r
        ? 'report'
        : !INCIDENT_TYPES.has(r.incidentSummary?.incidentType)
          ? 'incidentSummary/incidentType'
          : !r.incidentSummary?.incidentDateTime
            ? 'incidentSummary/incidentDateTime'
            : !r.reporter?.reportingPerson
              ? 'reporter/reportingPerson'
              : undefined;
      if (missing) return answer('reportResponse', 4100, `Report XML failed schema validation: ${missing}`);
      const id = String(nextId++);
      reports.push({ id, xml: text, doc: r, files: [], details: [], finished: false, retracted: false });
      return answer('reportResponse', 0, 'Success', `<reportId>${id}</reportId>`);
    }
    if (step === 'upload') {
      const f = await form();
      const rep = find(f.get('id'));
      const file = f.get('file');
      if (!rep) return answer('reportResponse', 4100, 'unknown report id');
      if (rep.finished || rep.retracted)
        return answer('reportResponse', rep.finished ? 5102 : 5101, rep.finished ? 'Report already finished' : 'Report already retracted');
      if (!(file instanceof Blob)) return answer('reportResponse', 4100, 'no file');
      const bytes = Buffer.from(await file.arrayBuffer());
      const fileId = randomUUID().replace(/-/g, '');
      const hash = createHash('md5').update(bytes).digest('hex');
      rep.files.push({ fileId, name: (file as File).name, size: bytes.length, hash });
      return answer('reportResponse', 0, 'Success', `<reportId>${rep.id}</reportId><fileId>${fileId}</fileId><hash>${hash}</hash>`);
    }
    if (step === 'fileinfo') {
      let d: Record<string, any> | undefined;
      try {
        d = (parser.parse(raw.toString('utf8'), true) as Record<string, any>).fileDetails;
      } catch {
        d = undefined;
      }
      if (!d) return answer('reportResponse', 4100, 'fileDetails XML failed schema validation');
      const rep = find(d.reportId);
      if (!rep) return answer('reportResponse', 4100, 'unknown report id');
      if (rep.finished || rep.retracted)
        return answer('reportResponse', rep.finished ? 5102 : 5101, rep.finished ? 'Report already finished' : 'Report already retracted');
      if (d.fileId !== undefined && !rep.files.some((f) => f.fileId === d.fileId)) return answer('reportResponse', 4100, 'unknown file id');
      if (d.fileId === undefined && !(d.originalFileHash?.length > 0))
        return answer('reportResponse', 4100, 'fileDetails needs a fileId or an originalFileHash');
      rep.details.push(d);
      return answer('reportResponse', 0, 'Success', `<reportId>${rep.id}</reportId>`);
    }
    // finish, retract
    const f = await form();
    const rep = find(f.get('id'));
    if (!rep) return answer('reportDoneResponse', 4100, 'unknown report id');
    if (rep.retracted) return answer('reportDoneResponse', 5101, 'Report already retracted');
    if (rep.finished) return answer('reportDoneResponse', 5102, 'Report already finished');
    if (step === 'finish') rep.finished = true;
    else rep.retracted = true;
    return answer(
      'reportDoneResponse',
      0,
      'Success',
      `<reportId>${rep.id}</reportId><files>${rep.files.map((x) => `<fileId>${x.fileId}</fileId>`).join('')}</files>`,
    );
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://standin').pathname;
      const given = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const authorised = given !== undefined && Buffer.from(given, 'base64').toString('utf8') === `${user}:${password}`;
      requests.push({ method: req.method ?? '', path, authorised });
      const raw = await body(req);
      if (!authorised) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="ispws"', 'content-type': 'text/html' });
        return void res.end('<html><body>401 Unauthorized</body></html>');
      }
      const send = (xml: string) => {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(xml);
      };
      if (req.method === 'GET' && path === '/ispws/status')
        return send(answer('reportResponse', 0, `Remote User : ${user}, Remote Ip Address : ${req.socket.remoteAddress}`));
      if (req.method === 'GET' && path === '/ispws/xsd') return send('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>');
      const step = /^\/ispws\/(submit|upload|fileinfo|finish|retract)$/.exec(path)?.[1] as Step | undefined;
      if (req.method !== 'POST' || !step) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        return void res.end('not found');
      }
      const h = hangs.findIndex((x) => x.step === step);
      const hang = h >= 0 ? hangs.splice(h, 1)[0] : undefined;
      // A service that stopped: nothing is done, no answer comes, until the client gives up.
      if (hang?.mode === 'before') return;
      const xml = await handle(step, req, raw);
      if (hang?.mode === 'after') return void req.socket.destroy();
      if (!res.destroyed) send(xml);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/ispws`,
    user,
    password,
    reports,
    requests,
    reject: (step, code, description, times = 1) => {
      for (let i = 0; i < times; i++) rejections.push({ step, code, description });
    },
    hang: (step, mode, times = 1) => {
      for (let i = 0; i < times; i++) hangs.push({ step, mode });
    },
    count: (step) => requests.filter((r) => r.path === `/ispws/${step}` && r.authorised).length,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
