/** A user's Blender session as the panel shows it: plain data, safe to send to any screen. */

/** `reconnecting`: ready, but the engine's connection was lost; Blender runs on and is reached again once it is back. */
export type SessionState = 'stopped' | 'starting' | 'waiting' | 'ready' | 'reconnecting' | 'stopping' | 'failed';

/** A session whose Blender screen is up (through a reconnect too: its frame reconnects by itself). */
export function showsBlender(state: SessionState): boolean {
  return state === 'ready' || state === 'reconnecting';
}

/** A session with a container that is, or is about to be, running. */
export function isActive(state: SessionState): boolean {
  return state !== 'stopped' && state !== 'failed';
}

export type StopReason = 'sign-out' | 'idle' | 'admin' | 'tray' | 'quit' | 'account-disabled' | 'account-deleted' | 'open-version' | 'open-file' | 'engine' | 'engine-change';

export type StartStep = 'image' | 'volume' | 'container' | 'queue' | 'booting' | 'ui' | 'addon' | 'scene' | 'ready';

export interface StartProgress {
  step: StartStep;
  message: string;
  /** 0–100 where the step can say (image builds). */
  percent?: number;
}

export interface SaveOutcome {
  at: string;
  ok: boolean;
  message: string;
}

/** What a start opened, when the person should hear about it (a recovery, a fallback, a chosen version). */
export interface SceneNotice {
  /** 'recovered': from the autosave after an unclean end; 'fallback': the newest file was damaged. */
  kind: 'recovered' | 'fallback' | 'chosen' | 'lost' | 'restarted';
  message: string;
  /** When the state that was opened was saved. */
  at: string | null;
}

export interface SessionView {
  userId: string;
  username: string;
  state: SessionState;
  /** Why the session is failed or stopped, in words. */
  reason: string | null;
  containerName: string;
  ports: { addon: number; ui: number } | null;
  startedAt: string | null;
  lastActivityAt: string | null;
  lastSave: SaveOutcome | null;
  /** What this start opened, when it was not simply the last save. */
  scene: SceneNotice | null;
  /** The person's own Blender UI, secret included: only in what its owner receives, null for anyone else. */
  blenderAddress: string | null;
  warnings: string[];
}

/** Resource use of a running session, for administrators. */
export interface SessionStats {
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
}

export interface AdminSessionRow extends SessionView {
  stats: SessionStats | null;
}

/** The sizes Blender's screen can take (the display is created at the largest); beyond them the frame scales. */
export const SCREEN_LIMITS = { minWidth: 320, maxWidth: 3840, minHeight: 240, maxHeight: 2160 } as const;
