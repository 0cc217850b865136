import { useState } from 'react';
import { api, bankPath } from './api';
import { BankTable } from './BankTable';
import { CreateBankForm } from './CreateBankForm';
import { ErrorMessage } from './ErrorMessage';
import { Link } from './Link';
import { PageHeading } from './PageHeading';
import type { Bank } from './types';
import { Skeleton } from './ui/Skeleton';
import { useToast } from './ui/Toasts';
import { useLoad } from './useLoad';

/** The banks with their counts, and a form to create one. */
export function BanksPage() {
  const banks = useLoad(() => api<{ banks: Bank[] }>('/banks'), []);
  const [created, setCreated] = useState<string | null>(null);
  const toast = useToast();
  return (
    <>
      <PageHeading title="Banks" />
      <ErrorMessage error={banks.error} />
      {banks.data ? <BankTable banks={banks.data.banks} /> : banks.loading && <Skeleton label="Loading banks…" table={{ columns: 6 }} />}
      <p className="notice" role="status">
        {created && (
          <>
            Created bank <Link href={bankPath(created)}>{created}</Link>.
          </>
        )}
      </p>
      <CreateBankForm
        onCreated={(b) => {
          setCreated(b.name);
          toast.success(`Bank ${b.name} created.`);
          banks.reload();
        }}
      />
    </>
  );
}
