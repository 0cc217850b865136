/**
 * CyberTipline submissions (REFERENCE.md §9, ESP web services): one row per incident report sent
 * there, holding where the submission stands (the CyberTipline's report id once it answered, each
 * file's upload and details, finished or retracted, the service's last answer), so a retry resumes
 * from it and never opens a second report. A lease keeps two processes from working one report.
 */
import { sql, type Kysely } from 'kysely';

export const cybertipline = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`create table cybertipline_submissions (report_id integer primary key references incident_reports(id),
        status text not null, environment text not null, ct_report_id text, files text not null default '[]',
        response_code integer, last_error text, attempts integer not null default 0,
        lease_holder text, lease_until bigint, requested_by text not null,
        created_at bigint not null, updated_at bigint not null, finished_at bigint)`.execute(db);
  },
};
