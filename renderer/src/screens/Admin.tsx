import { useEffect, useState } from 'react';
import type { SavedStates } from '../../../shared/blender';
import type { SessionView } from '../../../shared/sessions';
import { AdminSettings } from '../components/AdminSettings';
import { AdminUsers } from '../components/AdminUsers';
import { ErrorBanner } from '../components/ErrorBanner';
import { Header, since, useNow } from '../components/Header';
import { readableSize, readableTime } from '../components/Versions';
import { useBridge, usePanel } from '../context';
import { asError } from '../store';

export function Admin() {
  const sessions = usePanel((s) => s.sessions);
  const refresh = usePanel((s) => s.refreshSessions);
  const bridge = useBridge();
  const now = useNow();
  const [logs, setLogs] = useState<{ username: string; text: string } | null>(null);
  const [versions, setVersions] = useState<{ username: string; states: SavedStates | string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const act = async (work: () => Promise<{ ok: boolean; error?: { message: string } }>, done: string) => {
    const reply = await work();
    setNotice(reply.ok ? done : `Failed: ${asError(reply.error).message}`);
    await refresh();
  };

  // Resource use changes on its own: sample it while this page is open.
  useEffect(() => {
    const timer = setInterval(() => void refresh(), 10_000);
    return () => clearInterval(timer);
  }, [refresh]);

  const showVersions = async (s: SessionView) => {
    const reply = await bridge.api['admin.versions']({ userId: s.userId });
    setVersions({ username: s.username, states: reply.ok ? reply.value : reply.error.message });
  };

  const showLogs = async (s: SessionView) => {
    const reply = await bridge.api['admin.logs']({ userId: s.userId });
    setLogs({ username: s.username, text: reply.ok ? reply.value : reply.error.message });
  };

  return (
    <div className="admin">
      <Header />
      <ErrorBanner />
      <main className="admin-body">
        <h1>Sessions</h1>
        <div className="row">
          <button type="button" onClick={() => void act(() => bridge.api['admin.stopAll']({}), 'Stopped all sessions')}>
            Stop all
          </button>
          <button
            type="button"
            onClick={() =>
              void act(async () => {
                const r = await bridge.api['admin.cleanupIdle']({});
                if (r.ok) setNotice(`Stopped ${r.value.stopped} idle session${r.value.stopped === 1 ? '' : 's'}`);
                return r;
              }, '')
            }
          >
            Clean up idle sessions
          </button>
          <button type="button" onClick={() => void refresh()}>
            Refresh
          </button>
        </div>
        {notice && (
          <p role="status" className="muted">
            {notice}
          </p>
        )}
        <table>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">State</th>
              <th scope="col">Ports</th>
              <th scope="col">CPU</th>
              <th scope="col">Memory</th>
              <th scope="col">Uptime</th>
              <th scope="col">Last activity</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {sessions.length === 0 && (
              <tr>
                <td colSpan={8} className="muted">
                  No sessions yet.
                </td>
              </tr>
            )}
            {sessions.map((s) => (
              <tr key={s.userId}>
                <th scope="row">{s.username}</th>
                <td>
                  <span className={`state state-${s.state}`}>{s.state}</span>
                  {s.reason && <div className="muted small">{s.reason.split('\n')[0]}</div>}
                </td>
                <td>{s.ports ? `${s.ports.addon} / ${s.ports.ui}` : '—'}</td>
                <td>{s.stats ? `${s.stats.cpuPercent.toFixed(1)} %` : '—'}</td>
                <td>{s.stats ? `${mib(s.stats.memoryBytes)} / ${mib(s.stats.memoryLimitBytes)} MiB` : '—'}</td>
                <td>{s.state === 'ready' ? since(s.startedAt, now) : '—'}</td>
                <td>{s.lastActivityAt ? `${since(s.lastActivityAt, now)} ago` : '—'}</td>
                <td className="row">
                  <button
                    type="button"
                    aria-label={`Stop ${s.username}'s session`}
                    disabled={s.state === 'stopped' || s.state === 'stopping'}
                    onClick={() => void act(() => bridge.api['admin.stopSession']({ userId: s.userId }), `Stopped ${s.username}'s session`)}
                  >
                    Stop
                  </button>
                  <button type="button" aria-label={`Logs of ${s.username}'s session`} onClick={() => void showLogs(s)}>
                    Logs
                  </button>
                  <button type="button" aria-label={`Saved versions of ${s.username}'s work`} disabled={s.state !== 'ready'} onClick={() => void showVersions(s)}>
                    Versions
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {versions && (
          <section aria-label={`Saved versions of ${versions.username}`}>
            <h2>Saved versions: {versions.username}</h2>
            {typeof versions.states === 'string' ? (
              <p role="alert" className="error-text">{versions.states}</p>
            ) : (
              <ul>
                {versions.states.autosave && <li>Autosave, {readableTime(versions.states.autosave.at)} · {readableSize(versions.states.autosave.bytes)}</li>}
                {versions.states.versions.map((v) => (
                  <li key={v.name}>
                    Saved, {readableTime(v.at)} · {readableSize(v.bytes)}
                  </li>
                ))}
              </ul>
            )}
          </section>
        )}
        {logs && (
          <section aria-label={`Logs of ${logs.username}`}>
            <h2>Logs: {logs.username}</h2>
            <pre className="log">{logs.text}</pre>
          </section>
        )}
        <AdminUsers />
        <AdminSettings />
      </main>
    </div>
  );
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
