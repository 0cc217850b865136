/** Nonces of signed federation requests, remembered until the request could no longer be fresh. */
import { isUniqueViolation, type Executor } from './util.js';

let prunedAt = 0;

/**
 * Records that `keyid` used `nonce`; false when it did already (a replay). Expired nonces are
 * pruned at most once a minute per process.
 */
export async function rememberNonce(db: Executor, keyid: string, nonce: string, expiresAtS: number): Promise<boolean> {
  const nowMs = Date.now();
  if (nowMs - prunedAt > 60_000) {
    prunedAt = nowMs;
    await db
      .deleteFrom('federation_nonces')
      .where('expires_at', '<', Math.floor(nowMs / 1000))
      .execute();
  }
  try {
    await db.insertInto('federation_nonces').values({ keyid, nonce, expires_at: expiresAtS }).execute();
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}
