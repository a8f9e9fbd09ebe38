import { useEffect, useState } from 'react';
import type { EngineStatus } from '../../../shared/engine';
import { Notice, type NoticeData } from './Notice';
import { useBridge } from '../context';

const KIND_WORDS: Record<Exclude<EngineStatus['kind'], 'local'>, string> = { ssh: 'over SSH', tls: 'over TLS' };

/** Where the Blenders run and whether the panel reaches it; an untrusted SSH host key can be accepted here, fingerprint shown. */
export function EngineState({ refresh }: { refresh: number }) {
  const bridge = useBridge();
  const [status, setStatus] = useState<EngineStatus | null>(null);
  const [notice, setNotice] = useState<NoticeData | null>(null);
  const [checking, setChecking] = useState(false);

  const check = async () => {
    setChecking(true);
    const reply = await bridge.api['admin.engine']({});
    setChecking(false);
    if (reply.ok) setStatus(reply.value);
    else setNotice({ ok: false, text: reply.error.message });
  };

  useEffect(() => {
    void check();
  }, [bridge, refresh]);

  if (!status) return <Notice notice={notice} />;

  const trust = async (fingerprint: string) => {
    const reply = await bridge.api['admin.acceptHostKey']({ fingerprint });
    if (reply.ok) {
      setStatus(reply.value);
      setNotice({ ok: true, text: `Trusted the host key ${fingerprint}` });
    } else {
      setNotice({ ok: false, text: reply.error.message });
    }
  };

  const move = status.lastMove;
  return (
    <div className="engine-state" aria-label="Docker engine">
      <p>
        Docker engine: <strong>{status.endpoint || 'this machine'}</strong>
        {status.kind === 'local' ? '' : ` (${KIND_WORDS[status.kind]})`} — {status.reachable ? 'reachable' : 'not reachable'}{' '}
        <button type="button" disabled={checking} onClick={() => void check()}>
          Check again
        </button>
      </p>
      {status.problem && <p className="error-text">{status.problem}</p>}
      {status.untrustedHostKey && (
        <p>
          Only trust this key after checking that the server shows the same fingerprint (<code>ssh-keygen -lf</code> on its host key):{' '}
          <code>
            {status.untrustedHostKey.type} {status.untrustedHostKey.fingerprint}
          </code>{' '}
          <button type="button" onClick={() => void trust(status.untrustedHostKey!.fingerprint)}>
            Trust this host key
          </button>
        </p>
      )}
      {move && (
        <p className="muted">
          Moved from {move.from || 'this machine'} to {move.to || 'this machine'} at {new Date(move.at).toLocaleTimeString()}: {move.stopped}{' '}
          {move.stopped === 1 ? 'Blender' : 'Blenders'} saved and stopped.
          {move.notSaved.map((n) => ` Not saved: ${n.username} (${n.message}).`).join('')}
        </p>
      )}
      <Notice notice={notice} />
    </div>
  );
}
