/**
 * The demo authority of `serve --demo`: a second node — its own member ("demo-authority", an
 * authority for NL), Ed25519 identity and SQLite store under <data>/demo-authority — served by the
 * same process on a port of its own on 127.0.0.1. It knows the demo node as its peer, so the demo's
 * incident report is really delivered to it over a signed federation request (and is received
 * there), like a report to a national authority's node. Nothing else runs on it: no background
 * work, no operator token.
 */
import { join } from 'node:path';
import { buildServer } from '../../api/server.js';
import type { Config } from '../../config/config.js';
import { DEMO } from '../../node/demo.js';
import { openNode, type AllianceNode } from '../../node/node.js';

export interface DemoAuthority {
  url: string;
  publicKey: string;
  close(): Promise<void>;
}

export async function startDemoAuthority(main: AllianceNode): Promise<DemoAuthority> {
  const config: Readonly<Config> = Object.freeze({
    ...main.config,
    dataDir: join(main.config.dataDir, 'demo-authority'),
    databaseUrl: undefined,
    memberName: DEMO.authority,
    memberKind: 'authority' as const,
    memberCountry: DEMO.authorityCountry,
    memberGiven: { ...main.config.memberGiven, name: false },
    deconflictionKey: null,
    role: 'all' as const,
    workers: 1,
  });
  const node = await openNode(config);
  try {
    const app = await buildServer(node);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const operator = await node.operator();
    // It takes reports signed by the demo node: that node is its peer (its URL is not needed to receive).
    const key = main.federation.identity.publicKey;
    const known = (await node.federation.listPeers(operator)).find((p) => p.name === main.config.memberName);
    if (!known)
      await node.federation.addPeer(operator, {
        name: main.config.memberName,
        url: `http://127.0.0.1:${main.config.port}`,
        publicKey: key,
        country: main.config.memberCountry,
        kind: main.config.memberKind,
      });
    else if (known.public_key !== key) await node.federation.updatePeer(operator, known.name, { publicKey: key });
    return {
      url,
      publicKey: node.federation.identity.publicKey,
      async close() {
        await app.close();
        await node.close();
      },
    };
  } catch (err) {
    await node.close();
    throw err;
  }
}
