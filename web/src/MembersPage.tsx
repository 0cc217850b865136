import { useState, type FormEvent } from 'react';
import type { Member, TokenCreated, TokenInfo, WhoAmI } from '../../src/api/contract/index.js';
import { ROLES } from '../../src/members/roles.js';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { PageHeading } from './PageHeading';
import { Button } from './ui/Button';
import { DataTable, type Column } from './ui/DataTable';
import { useConfirm } from './ui/Dialog';
import { Field } from './ui/Field';
import { Skeleton } from './ui/Skeleton';
import { useToast } from './ui/Toasts';
import { useAction } from './useAction';
import { useLoad } from './useLoad';
import { when } from './when';

const tokenName = (t: { id: number; prefix: string; label?: string }) => `${t.label ? `“${t.label}” ` : ''}${t.prefix}… (#${t.id})`;

/** Admin: the members of the alliance and the tokens that act for them — create one (its secret shown once), revoke one. */
export function MembersPage() {
  const members = useLoad(() => api<{ members: Member[] }>('/members'), []);
  const tokens = useLoad(() => api<{ tokens: TokenInfo[] }>('/tokens'), []);
  const me = useLoad(() => api<WhoAmI>('/whoami'), []);
  const mine = (t: TokenInfo) => me.data?.token_id === t.id;
  const revoking = useAction({ toastErrors: true });
  const { ask, dialog } = useConfirm();
  const toast = useToast();
  const memberName = (id: number) => members.data?.members.find((m) => m.id === id)?.name ?? `member ${id}`;

  const revoke = async (t: TokenInfo) => {
    const yes = await ask({
      title: `Revoke token ${tokenName(t)}?`,
      body: (
        <p>
          Token {tokenName(t)} (role {t.role}, of {memberName(t.member_id)}) stops working at once; anything using it is refused. A revoked token cannot be
          restored: whoever needs access again needs a new token. This cannot be undone.
          {mine(t) && <strong> It is the token this browser is signed in with: you will be signed out.</strong>}
        </p>
      ),
      confirm: 'Revoke the token',
      danger: true,
    });
    if (!yes) return;
    await revoking.run(`Token ${tokenName(t)} was not revoked`, async () => {
      await api(`/tokens/${t.id}`, { method: 'DELETE' });
      toast.success(`Token ${tokenName(t)} revoked: it is refused from now on.`);
      tokens.reload();
    });
  };

  const memberColumns: Array<Column<Member>> = [
    { key: 'name', header: 'Member', rowHeader: true, sort: (m) => m.name, cell: (m) => m.name },
    { key: 'kind', header: 'Kind', sort: (m) => m.kind, cell: (m) => m.kind },
    { key: 'country', header: 'Country', sort: (m) => m.country, cell: (m) => m.country ?? '—' },
    { key: 'created', header: 'Created', sort: (m) => m.created_at, cell: (m) => when(m.created_at) },
  ];
  const tokenColumns: Array<Column<TokenInfo>> = [
    { key: 'token', header: 'Token', rowHeader: true, sort: (t) => t.id, cell: (t) => `${tokenName(t)}${mine(t) ? ' (this session)' : ''}` },
    { key: 'member', header: 'Member', sort: (t) => memberName(t.member_id), cell: (t) => memberName(t.member_id) },
    { key: 'role', header: 'Role', sort: (t) => t.role, cell: (t) => t.role },
    { key: 'created', header: 'Created', sort: (t) => t.created_at, cell: (t) => when(t.created_at) },
    { key: 'status', header: 'Status', sort: (t) => (t.revoked_at ? 1 : 0), cell: (t) => (t.revoked_at ? `revoked ${when(t.revoked_at)}` : 'active') },
    {
      key: 'action',
      header: 'Action',
      hiddenHeader: true,
      cell: (t) =>
        t.revoked_at ? null : (
          <Button weight="danger" onClick={() => void revoke(t)} disabled={revoking.busy} aria-label={`Revoke token ${tokenName(t)}`}>
            Revoke
          </Button>
        ),
    },
  ];

  return (
    <>
      <PageHeading title="Members and tokens" />
      <p className="muted">
        Who belongs to this node's alliance and the API tokens that act for them. A token is shown once, when it is made; only its first characters are kept in
        view.
      </p>
      <section aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        <ErrorMessage error={members.error} />
        {members.data ? (
          <DataTable caption="Members" columns={memberColumns} rows={members.data.members} rowKey={(m) => m.id} empty="No members yet." />
        ) : (
          members.loading && <Skeleton label="Loading the members…" table={{ columns: 4 }} />
        )}
      </section>
      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Tokens</h2>
        {members.data && <NewToken members={members.data.members} onCreated={tokens.reload} />}
        <ErrorMessage error={tokens.error ?? revoking.error} />
        {tokens.data ? (
          <DataTable
            caption="Tokens"
            columns={tokenColumns}
            rows={tokens.data.tokens}
            rowKey={(t) => t.id}
            rowProps={(t) => ({ 'data-token': t.id, className: t.revoked_at ? 'disabled' : undefined })}
            pageSize={25}
            empty="No tokens yet."
          />
        ) : (
          tokens.loading && <Skeleton label="Loading the tokens…" table={{ columns: 6 }} />
        )}
      </section>
      {dialog}
    </>
  );
}

/** The form that makes a token; the secret it answers is shown here once, with a copy button. */
function NewToken({ members, onCreated }: { members: Member[]; onCreated: () => void }) {
  const [member, setMember] = useState(members[0]?.name ?? '');
  const [role, setRole] = useState<string>('analyst');
  const [label, setLabel] = useState('');
  const [made, setMade] = useState<TokenCreated | null>(null);
  const [copied, setCopied] = useState(false);
  const { busy, error, run } = useAction();
  const toast = useToast();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run('The token was not created', async () => {
      const t = await api<TokenCreated>('/tokens', { method: 'POST', json: { member, role, ...(label.trim() ? { label: label.trim() } : {}) } });
      setMade(t);
      setCopied(false);
      setLabel('');
      toast.success(`Token ${t.prefix}… (role ${t.role}) created for ${member}.`);
      onCreated();
    });
  };
  const copy = async () => {
    if (!made) return;
    try {
      await navigator.clipboard.writeText(made.token);
      setCopied(true);
    } catch {
      toast.error('The token could not be copied: select it and copy it by hand.');
    }
  };
  return (
    <>
      <form className="card" aria-labelledby="new-token" onSubmit={submit}>
        <h3 id="new-token">New token</h3>
        <Field id="token-member" label="Member" error={error} field="body/member">
          <select value={member} onChange={(e) => setMember(e.target.value)} required>
            {members.map((m) => (
              <option key={m.id} value={m.name}>
                {m.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="token-role" label="Role" error={error} field="body/role">
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <Field id="token-label" label="Label (what uses it)" error={error} field="body/label">
          <input value={label} onChange={(e) => setLabel(e.target.value)} maxLength={200} />
        </Field>
        <Button type="submit" weight="primary" busy={busy} busyLabel="Creating…">
          Create token
        </Button>
        <ErrorMessage error={error} beside={['body/member', 'body/role', 'body/label']} />
      </form>
      {made && (
        <div className="secret" role="status" data-secret>
          <p>
            <strong>
              New token {made.prefix}… (role {made.role}):
            </strong>{' '}
            copy it now — it will not be shown again.
          </p>
          <p>
            <code aria-label="The new token">{made.token}</code> <Button onClick={() => void copy()}>{copied ? 'Copied' : 'Copy the token'}</Button>{' '}
            <Button onClick={() => setMade(null)}>Done: hide it</Button>
          </p>
        </div>
      )}
    </>
  );
}
