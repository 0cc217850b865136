import { useState } from 'react';
import { api, bankPath } from './api';
import { BankTable } from './BankTable';
import { CreateBankForm } from './CreateBankForm';
import { ErrorMessage } from './ErrorMessage';
import { Link } from './Link';
import { PageHeading } from './PageHeading';
import type { Bank } from './types';
import { useLoad } from './useLoad';

/** The banks with their counts, and a form to create one. */
export function BanksPage() {
  const banks = useLoad(() => api<{ banks: Bank[] }>('/banks'), []);
  const [created, setCreated] = useState<string | null>(null);
  return (
    <>
      <PageHeading title="Banks" />
      <ErrorMessage error={banks.error} />
      {banks.data ? <BankTable banks={banks.data.banks} /> : banks.loading && <p>Loading banks…</p>}
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
          banks.reload();
        }}
      />
    </>
  );
}
