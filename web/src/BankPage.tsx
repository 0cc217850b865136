import { useState } from 'react';
import { api, bankPath } from './api';
import { AddContentForm } from './AddContentForm';
import { ContentList } from './ContentList';
import { DeleteBank } from './DeleteBank';
import { ErrorMessage } from './ErrorMessage';
import { ImportForm } from './ImportForm';
import { Link } from './Link';
import { MatchingToggle } from './MatchingToggle';
import { Notice } from './Notice';
import { PageHeading } from './PageHeading';
import { SignalCounts } from './SignalCounts';
import type { Bank } from './types';
import { Skeleton } from './ui/Skeleton';
import { useToast } from './ui/Toasts';
import { useLoad } from './useLoad';

/** One bank: its counts, matching on/off, adding content, importing a file, its content a page at a time or searched by hash or tag (each deletable), and deleting the bank — the deletions only for a role that may write banks. */
export function BankPage({ name, write = false }: { name: string; write?: boolean }) {
  const loaded = useLoad(() => api<Bank>(bankPath(name)), [name]);
  const [changed, setChanged] = useState<Bank | null>(null);
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const toast = useToast();
  // The answer to a change is the newest state until the bank is loaded again.
  const bank = changed ?? loaded.data;

  return (
    <>
      <p className="crumbs">
        <Link href="/banks">Banks</Link> /
      </p>
      <PageHeading title={`Bank ${name}`}>{name}</PageHeading>
      <ErrorMessage error={loaded.error} />
      {!bank ? (
        loaded.loading && <Skeleton label="Loading the bank…" lines={4} />
      ) : (
        <>
          <dl className="facts">
            <dt>Kind</dt>
            <dd>{bank.kind === 'negative' ? 'negative (allow-list: suppresses matches)' : 'positive'}</dd>
            <dt>Description</dt>
            <dd>{bank.description || '—'}</dd>
            <dt>Content</dt>
            <dd>{bank.content_count.toLocaleString('en')}</dd>
            <dt>Signals</dt>
            <dd>
              <SignalCounts counts={bank.signal_counts} />
            </dd>
          </dl>
          <MatchingToggle bank={bank} onChanged={setChanged} />
          <Notice text={notice} />
          <AddContentForm
            bank={bank.name}
            onAdded={(c) => {
              setNotice(`Added content ${c.id} (${c.signals.map((s) => s.signal_type).join(', ')}).`);
              toast.success(`Content ${c.id} added to ${bank.name}.`);
              setChanged(null);
              loaded.reload();
              setVersion((v) => v + 1);
            }}
          />
          <ImportForm
            bank={bank.name}
            onImported={() => {
              setChanged(null);
              loaded.reload();
              setVersion((v) => v + 1);
            }}
          />
          <ContentList
            bank={bank.name}
            total={bank.content_count}
            version={version}
            write={write}
            onDeleted={() => {
              setChanged(null);
              loaded.reload();
            }}
          />
          {write && <DeleteBank bank={bank} />}
        </>
      )}
    </>
  );
}
