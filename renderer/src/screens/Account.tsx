import { useState, type FormEvent } from 'react';
import { Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { useBridge } from '../context';

/** The person's own password: changing it keeps this window and signs them out everywhere else. */
export function Account() {
  const bridge = useBridge();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [revokeTokens, setRevokeTokens] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const change = async (event: FormEvent) => {
    event.preventDefault();
    const reply = await bridge.api['account.changePassword']({ current, next, revokeTokens });
    setCurrent('');
    if (!reply.ok) return setMessage({ ok: false, text: reply.error.message });
    setNext('');
    setRevokeTokens(false);
    const tokens = reply.value.tokensRevoked ? ` ${reply.value.tokensRevoked} AI-client token${reply.value.tokensRevoked === 1 ? '' : 's'} revoked.` : '';
    setMessage({ ok: true, text: `Password changed. You stay signed in here; every other sign-in of yours has ended.${tokens}` });
  };

  return (
    <Page title="Account">
      <Notice notice={message} />
      <form className="inline-form" onSubmit={change} aria-label="Change password">
        <h2>Change password</h2>
        <label>
          Current password
          <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </label>
        <label>
          New password
          <input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required />
        </label>
        <label className="check">
          <input type="checkbox" checked={revokeTokens} onChange={(e) => setRevokeTokens(e.target.checked)} />
          Also revoke my AI-client tokens (clients using them are refused until given a new one)
        </label>
        <button type="submit" className="primary">
          Change password
        </button>
      </form>
    </Page>
  );
}
