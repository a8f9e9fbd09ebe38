import type { BlenderCommand, BlenderParams, BlenderResult } from '../../../shared/blender';
import { AppError } from '../../../shared/errors';
import { showsBlender, type SessionState } from '../../../shared/sessions';
import type { BlenderClient } from '../blender/blender-client';
import { IMAGE_FACTS } from '../blender/image-contract';
import { screenTokenFor } from '../blender/session-secret';
import type { ContainerEngine } from '../engine/container-engine';
import type { Session } from './session';
import type { SessionStore } from './session-store';

/** A person's ready Blender as the rest of the panel reaches it: its add-on, its screen, its container. */
export class BlenderGateway {
  /**
   * The size Blender's screen was last fitted to on this panel, for anyone: a person's first
   * start draws its first screen there, not at 1600×900 and again when their frame asks.
   */
  lastScreen: string | null = null;

  constructor(private readonly deps: { engine: Pick<ContainerEngine, 'containers'>; store: SessionStore; clock: () => Date }) {}

  /** Runs an add-on command in the user's own Blender; counts as activity. */
  async command<C extends BlenderCommand>(userId: string, command: C, params: BlenderParams<C>, options: { timeoutMs?: number } = {}): Promise<BlenderResult<C>> {
    const { s, client } = this.requireReady(userId, (state) => `Your Blender is not running (${state}). Sign in again to start it.`);
    s.lastActivity = this.deps.clock();
    return client.request(command, params, options);
  }

  /** The person's saved versions and autosave, read from their running Blender. */
  async savedStates(userId: string): Promise<BlenderResult<'scenes'>> {
    return this.requireReady(userId, () => 'Saved versions are listed from a running Blender: start it first.').client.request('scenes', {});
  }

  /** Resizes the person's Blender screen (and its window) to the frame showing it, so it is drawn 1:1. */
  async fitScreen(userId: string, width: number, height: number): Promise<{ width: number; height: number }> {
    const { exitCode, stdout } = await this.deps.engine.containers.exec(this.runningContainer(userId), [IMAGE_FACTS.fitScreen, String(width), String(height)]);
    const size = /^(\d+)x(\d+)$/m.exec(stdout);
    if (exitCode !== 0 || !size) throw new AppError('INTERNAL', `Blender's screen could not be resized (exit ${exitCode}); it is scaled to fit instead`);
    this.lastScreen = size[0];
    return { width: Number(size[1]), height: Number(size[2]) };
  }

  /** The container of the person's ready Blender, which the Files view reaches their home through. */
  runningContainer(userId: string): string {
    return this.requireReady(userId, (state) => `Your Blender is not running (${state}): your files are reached through it. Sign in again to start it.`).s.containerId!;
  }

  /** UI activity reported for the user's session. */
  touch(userId: string): void {
    const s = this.deps.store.find(userId);
    if (s?.state === 'ready') s.lastActivity = this.deps.clock();
  }

  /** The user's own Blender UI address, with the screen's token (never for anyone else). */
  uiAddress(userId: string): string | null {
    const s = this.deps.store.find(userId);
    if (!s || !showsBlender(s.state) || !s.ports || !s.secret) return null;
    return `http://127.0.0.1:${s.ports.ui}/blender-lab.html#token=${screenTokenFor(s.secret)}`;
  }

  /** The person's ready session and its add-on connection, or SESSION_NOT_READY in the words `notReady` gives (it throws). */
  requireReady(userId: string, notReady: (state: SessionState) => string): { s: Session; client: BlenderClient } {
    const s = this.deps.store.find(userId);
    if (s?.state === 'reconnecting') {
      throw new AppError('SESSION_NOT_READY', 'The connection to the Docker engine was lost and is being made again; your Blender runs on. Try again in a moment.');
    }
    if (!s || s.state !== 'ready' || !s.client) throw new AppError('SESSION_NOT_READY', notReady(s?.state ?? 'stopped'));
    return { s, client: s.client };
  }
}
