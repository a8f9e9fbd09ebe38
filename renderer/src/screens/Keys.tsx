import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CredentialStatus } from '../../../shared/credentials';
import { Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { useBridge } from '../context';

/** Integration keys: set or clear; the panel never shows a value once it is stored. */
export function Keys() {
  const bridge = useBridge();
  const [keys, setKeys] = useState<CredentialStatus[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [name, setName] = useState('ANTHROPIC_API_KEY');
  const [value, setValue] = useState('');

  const load = useCallback(async () => {
    const reply = await bridge.api['keys.list']({});
    if (reply.ok) setKeys(reply.value);
    else setMessage({ ok: false, text: reply.error.message });
  }, [bridge]);

  useEffect(() => {
    void load();
  }, [load]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const reply = await bridge.api['keys.set']({ name, value });
    setMessage(reply.ok ? { ok: true, text: `${name} saved. Blender gets it at its next start.` } : { ok: false, text: reply.error.message });
    if (reply.ok) setValue('');
    await load();
  };

  const clear = async (key: string) => {
    const reply = await bridge.api['keys.clear']({ name: key });
    setMessage(reply.ok ? { ok: true, text: `${key} cleared.` } : { ok: false, text: reply.error.message });
    await load();
  };

  return (
    <Page title="Integration keys">
      <p className="muted">Keys are kept in this computer&apos;s keychain and passed only to your own Blender.</p>
      <Notice notice={message} />
      <table>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.name}>
              <th scope="row">
                {k.label} <span className="muted small">{k.label !== k.name ? k.name : ''}</span>
              </th>
              <td>{k.set ? 'set' : 'not set'}</td>
              <td>
                <button type="button" disabled={!k.set} aria-label={`Clear ${k.name}`} onClick={() => void clear(k.name)}>
                  Clear
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" onSubmit={save}>
        <h2>Set a key</h2>
        <label>
          Key name
          <input value={name} onChange={(e) => setName(e.target.value.toUpperCase())} list="known-keys" />
        </label>
        <datalist id="known-keys">
          {keys.map((k) => (
            <option key={k.name} value={k.name} />
          ))}
        </datalist>
        <label>
          Key value
          <input type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={!value}>
          Save key
        </button>
      </form>
    </Page>
  );
}
