/** Times as the UI shows them: local, to the second; "never" for none. */
export const when = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' }) : 'never';
