/** An in-process API server over a fresh node (requests through Fastify's inject). */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildServer } from '../../src/api/server.js';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import { testConfig, type TestDialect, type TestEnv } from './dialects.js';

export interface TestApi {
  app: FastifyInstance;
  node: AllianceNode;
  env: TestEnv;
  adminToken: string;
  /** Sends a request with `token` (default: the admin token; null: none). */
  call(method: InjectOptions['method'], url: string, body?: unknown, token?: string | null, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Creates a member with a token of `role`; returns the token. */
  tokenFor(role: string, member?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startApi(dialect: TestDialect, flags: Record<string, string> = {}, logStream?: NodeJS.WritableStream): Promise<TestApi> {
  const env = await testConfig(dialect, flags);
  const node = await openNode(env.config, { loadIndex: true });
  const app = await buildServer(node, { logStream });
  const adminToken = node.firstAdminToken!;
  const members = new Set<string>();
  return {
    app,
    node,
    env,
    adminToken,
    call(method, url, body, token = adminToken, headers = {}) {
      return app.inject({
        method,
        url,
        ...(body !== undefined ? { payload: body as InjectOptions['payload'] } : {}),
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      });
    },
    async tokenFor(role, member = `m-${role}`) {
      const admin = await node.members.authenticate(adminToken);
      if (!members.has(member)) {
        await node.members.createMember(admin, { name: member, kind: 'platform' });
        members.add(member);
      }
      return (await node.members.createToken(admin, member, role)).token;
    },
    async close() {
      await app.close();
      await node.close();
      env.cleanup();
    },
  };
}

/** A multipart body with one file. */
export function multipart(
  field: string,
  filename: string,
  data: Buffer,
  fields: Record<string, string> = {},
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----alliance${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
