import { useState, type FormEvent } from 'react';
import { ErrorBanner } from '../components/ErrorBanner';
import { usePanel } from '../context';

export function SignIn() {
  const signIn = usePanel((s) => s.signIn);
  const signUp = usePanel((s) => s.signUp);
  const busy = usePanel((s) => s.signingIn);
  const signedOutBecause = usePanel((s) => s.signedOutBecause);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void signIn(username, password);
  };

  return (
    <main className="center">
      <form className="card sign-in" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Blender Lab</h1>
        <p className="muted">Sign in to get your own Blender.</p>
        {signedOutBecause && (
          <p role="status" className="notice">
            {signedOutBecause}
          </p>
        )}
        <ErrorBanner />
        <label>
          Username
          <input name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <div className="row">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            Sign in
          </button>
          <button type="button" disabled={busy} onClick={() => void signUp(username, password)}>
            Create account
          </button>
        </div>
      </form>
    </main>
  );
}
