/**
 * What is known of each submitted content, by signal key (issue 19's submission speed): its first
 * submission and the review it got. A submission used to find its re-uploads' history by reading
 * every earlier submission with the same signal — a content uploaded ten thousand times made each
 * new upload read ten thousand rows; now one row a signal answers (submissions-repo
 * earlierSubmission). Filled from the submissions so far: the first submission of each key, and of
 * the reviews of its submissions the one whose verdict decides (confirmed, else pending, else
 * rejected), as earlierSubmission decided it before.
 */
import { sql, type Kysely } from 'kysely';

export const submissionContents = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`create table submission_contents (signal_type text not null, value_key text not null,
      first_submission integer not null references submissions(id) on delete cascade,
      review_item integer references review_items(id) on delete set null,
      primary key (signal_type, value_key))`.execute(db);
    await sql`insert into submission_contents (signal_type, value_key, first_submission)
      select signal_type, value_key, min(submission_id) from submission_signals group by signal_type, value_key`.execute(db);
    await sql`update submission_contents set review_item = (
      select r.id from submission_signals ss join review_items r on r.submission_id = ss.submission_id
      where ss.signal_type = submission_contents.signal_type and ss.value_key = submission_contents.value_key
      order by case r.status when 'confirmed' then 0 when 'pending' then 1 when 'rejected' then 2 else 3 end, r.id limit 1)`.execute(db);
  },
};
