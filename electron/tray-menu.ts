import { isActive, type SessionView } from '../shared/sessions';

/** The tray menu as plain data, so it can be built and checked without Electron. */
export type TrayItem =
  | { kind: 'label'; label: string }
  | { kind: 'submenu'; label: string; items: TrayItem[] }
  | { kind: 'action'; label: string; enabled: boolean; run: () => void }
  | { kind: 'separator' };

export interface TrayActions {
  stopSession(userId: string): void;
  stopAll(): void;
  openPanel(): void;
  quit(): void;
}

export function uptime(startedAt: string | null, now: number): string {
  if (!startedAt) return '—';
  const minutes = Math.max(0, Math.floor((now - Date.parse(startedAt)) / 60_000));
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}

/** One entry per running session (`user — state — uptime`, with `Stop session`), then the panel's own actions. */
export function trayMenu(sessions: SessionView[], now: number, actions: TrayActions): TrayItem[] {
  const running = sessions.filter((s) => isActive(s.state));
  const items: TrayItem[] = running.length
    ? running.map((s) => ({
        kind: 'submenu' as const,
        label: `${s.username} — ${s.state} — ${uptime(s.startedAt, now)}`,
        items: [{ kind: 'action' as const, label: 'Stop session', enabled: s.state !== 'stopping', run: () => actions.stopSession(s.userId) }],
      }))
    : [{ kind: 'label', label: 'No sessions running' }];
  return [
    ...items,
    { kind: 'separator' },
    { kind: 'action', label: 'Stop all sessions', enabled: running.length > 0, run: actions.stopAll },
    { kind: 'action', label: 'Open panel', enabled: true, run: actions.openPanel },
    { kind: 'action', label: 'Quit…', enabled: true, run: actions.quit },
  ];
}

export function trayTooltip(sessions: SessionView[]): string {
  const n = sessions.filter((s) => isActive(s.state)).length;
  return `Blender Lab — ${n} session${n === 1 ? '' : 's'} running`;
}
