import { AppError } from '../../../shared/errors';
import type { SaveOutcome, SceneNotice, SessionState, StopReason } from '../../../shared/sessions';
import type { BlenderClient } from '../blender/blender-client';
import type { PortPair } from './ports';

/** One person's Blender as the panel knows it: the record every part of sessions/ reads and changes through the store. */
export interface Session {
  userId: string;
  username: string;
  state: SessionState;
  reason: string | null;
  containerId: string | null;
  ports: PortPair | null;
  secret: string | null;
  startedAt: Date | null;
  lastActivity: Date | null;
  lastSave: SaveOutcome | null;
  scene: SceneNotice | null;
  warnings: string[];
  client: BlenderClient | null;
  oomKilled: boolean;
  /** When (performance.now()) its container was last seen to end outside the panel. */
  endedOutsideAt: number | null;
}

export function newSession(userId: string, username: string): Session {
  return {
    userId, username, state: 'stopped', reason: null, containerId: null, ports: null, secret: null,
    startedAt: null, lastActivity: null, lastSave: null, scene: null, warnings: [], client: null, oomKilled: false, endedOutsideAt: null,
  };
}

/** What a start should open instead of the newest good state: a saved version, or a file of the person's own. */
export type SceneRequest = { BLENDER_LAB_OPEN?: string; BLENDER_LAB_OPEN_FILE?: string };

export interface StartOptions {
  /** Told to the person with the scene opened (why Blender started again by itself). */
  because?: string;
  /**
   * Aborted when whoever asked for the start is gone (their sign-in ended): the start leaves the
   * queue, and a Blender already booting for it is saved and stopped as at sign-out.
   */
  signal?: AbortSignal;
}

export const cancelled = () => new AppError('START_CANCELLED', 'The sign-in ended before Blender was ready, so it was stopped');

/** What a stopped session says, by why it stopped (shown to its person and in the admin view). */
export const STOP_MESSAGES: Record<StopReason, string> = {
  'sign-out': 'Signed out',
  idle: 'Stopped after being idle',
  admin: 'Stopped by an administrator',
  tray: 'Stopped from the tray',
  quit: 'Stopped when the panel quit',
  'account-disabled': 'Stopped because the account was disabled',
  'account-deleted': 'Stopped because the account was deleted',
  'open-version': 'Restarting with an earlier version',
  'open-file': 'Restarting with a file of yours',
  engine: 'Stopped when Docker restarted (the scene was saved)',
  'engine-change': 'Stopped when the panel moved to another Docker engine (the scene was saved on the previous one, where your files stay)',
};
