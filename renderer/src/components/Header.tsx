import { useEffect, useState } from 'react';
import { usePanel } from '../context';

function since(iso: string | null, now: number): string {
  if (!iso) return '—';
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${m} min` : m ? `${m} min ${s % 60} s` : `${s} s`;
}

export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export { since };

export function Header() {
  const user = usePanel((s) => s.user)!;
  const session = usePanel((s) => s.session);
  const view = usePanel((s) => s.view);
  const setView = usePanel((s) => s.setView);
  const signOut = usePanel((s) => s.signOut);
  const now = useNow();
  return (
    <header className="header">
      <strong className="brand">Blender Lab</strong>
      <nav aria-label="Panel">
        <button type="button" className={view === 'workspace' ? 'tab active' : 'tab'} aria-current={view === 'workspace'} onClick={() => setView('workspace')}>
          Workspace
        </button>
        <button type="button" className={view === 'assets' ? 'tab active' : 'tab'} aria-current={view === 'assets'} onClick={() => setView('assets')}>
          Assets
        </button>
        <button type="button" className={view === 'files' ? 'tab active' : 'tab'} aria-current={view === 'files'} onClick={() => setView('files')}>
          Files
        </button>
        <button type="button" className={view === 'keys' ? 'tab active' : 'tab'} aria-current={view === 'keys'} onClick={() => setView('keys')}>
          Keys
        </button>
        <button type="button" className={view === 'ai' ? 'tab active' : 'tab'} aria-current={view === 'ai'} onClick={() => setView('ai')}>
          AI clients
        </button>
        <button type="button" className={view === 'account' ? 'tab active' : 'tab'} aria-current={view === 'account'} onClick={() => setView('account')}>
          Account
        </button>
        {user.role === 'admin' && (
          <button type="button" className={view === 'admin' ? 'tab active' : 'tab'} aria-current={view === 'admin'} onClick={() => setView('admin')}>
            Admin
          </button>
        )}
      </nav>
      <span className="spacer" />
      <span className="who">{user.username}</span>
      <span className={`state state-${session?.state ?? 'stopped'}`} aria-label="Session state">
        {session?.state ?? 'stopped'}
      </span>
      <span className="muted" aria-label="Uptime">
        {session?.state === 'ready' ? since(session.startedAt, now) : ''}
      </span>
      <button type="button" onClick={() => void signOut()}>
        Sign out
      </button>
    </header>
  );
}
