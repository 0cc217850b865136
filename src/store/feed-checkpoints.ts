/** Where this node stands in a peer's member feed (help directory; one table for every such feed). */
import { now, type Executor } from './util.js';

export async function feedCheckpoint(db: Executor, feed: string, peerId: number): Promise<number> {
  return Number(
    (await db.selectFrom('feed_checkpoints').select('checkpoint').where('feed', '=', feed).where('peer_id', '=', peerId).executeTakeFirst())?.checkpoint ?? 0,
  );
}

/** Stores a new position after a page applied (`error` null), or the error of a failed pull (position kept). */
export async function setFeedCheckpoint(db: Executor, feed: string, peerId: number, checkpoint: number | null, error: string | null): Promise<void> {
  const t = now();
  const current = await feedCheckpoint(db, feed, peerId);
  await db
    .insertInto('feed_checkpoints')
    .values({ feed, peer_id: peerId, checkpoint: checkpoint ?? current, last_success_at: error ? null : t, last_error: error })
    .onConflict((oc) =>
      oc.columns(['feed', 'peer_id']).doUpdateSet(error ? { last_error: error } : { checkpoint: checkpoint ?? current, last_success_at: t, last_error: null }),
    )
    .execute();
}
