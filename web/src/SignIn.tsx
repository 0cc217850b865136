import { useState, type FormEvent } from 'react';
import { api, session } from './api';
import { ErrorMessage } from './ErrorMessage';
import { Notice } from './Notice';
import { PageHeading } from './PageHeading';
import { toProblem, type Problem } from './problems';
import type { WhoAmI } from './types';
import { Button } from './ui/Button';

/** Sign in with an API token: checked with /whoami, then kept in sessionStorage for this tab. */
export function SignIn({ message, onSignedIn }: { message?: string | null; onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<Problem | string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) return setError('Enter a token.');
    setBusy(true);
    setError(null);
    try {
      await api<WhoAmI>('/whoami', { token: t });
      session.signIn(t);
      onSignedIn();
    } catch (err) {
      setError(toProblem(err, {}, 'Sign-in failed'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <PageHeading title="Sign in" />
      <p>Sign in with an API token of this node (for example the admin token printed on its first start).</p>
      <Notice text={message} />
      <form onSubmit={submit}>
        <label htmlFor="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          required
        />
        <Button type="submit" weight="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
      <ErrorMessage error={error} />
    </main>
  );
}
