import type { Emitter } from '../../../shared/emitter';
import { isActive, type SaveOutcome, type SessionView, type StopReason } from '../../../shared/sessions';
import { BlenderClient } from '../blender/blender-client';
import { STOP_TIMEOUT_S } from '../blender/image-contract';
import type { ContainerEngine } from '../engine/container-engine';
import { STOP_MESSAGES, type Session } from './session';
import type { SessionStore } from './session-store';

export interface StopperDeps {
  engine: Pick<ContainerEngine, 'containers'>;
  store: SessionStore;
  stopped: Emitter<{ userId: string; why: StopReason }>;
  clock: () => Date;
  log: (message: string) => void;
}

/** Stopping a Blender the panel's way: the open scene saved into the person's volume first, then the container stopped. */
export class Stopper {
  constructor(private readonly deps: StopperDeps) {}

  /** Saves (keeping the versions named in `protect`) and stops; the caller holds the person's lock. */
  async stop(userId: string, why: StopReason, protect: string[] = []): Promise<SessionView | null> {
    const { store, engine } = this.deps;
    const s = store.find(userId);
    if (!s) return null;
    const running = s.containerId ? (await engine.containers.inspect(s.containerId))?.running : false;
    if (!running) {
      if (isActive(s.state)) store.detach(s, { state: 'stopped', reason: STOP_MESSAGES[why] });
      return store.view(s);
    }
    store.update(s, { state: 'stopping' });
    const lastSave = await this.save(s, protect);
    // Should our save have failed, the entrypoint tries again on SIGTERM.
    try {
      await engine.containers.stop(s.containerId!, STOP_TIMEOUT_S);
    } catch (error) {
      // A hung or lost engine: the session says so rather than "stopping" for ever.
      store.detach(s, { state: 'failed', reason: `Blender could not be stopped: ${(error as Error).message}`, lastSave });
      throw error;
    }
    store.detach(s, { state: 'stopped', reason: STOP_MESSAGES[why], lastSave });
    this.deps.stopped.emit({ userId, why });
    return store.view(s);
  }

  /** Asks Blender to save the open scene; a failure is recorded, and the stop goes on. */
  private async save(s: Session, protect: string[]): Promise<SaveOutcome> {
    const at = this.deps.clock().toISOString();
    const client = s.client ?? (s.ports && s.secret ? new BlenderClient({ port: s.ports.addon, secret: s.secret }) : null);
    if (!client) return { at, ok: false, message: 'Not saved: Blender was not reachable' };
    try {
      const saved = await client.request('save_session', protect.length ? { protect } : {}, { timeoutMs: (STOP_TIMEOUT_S - 10) * 1000 });
      return { at, ok: true, message: `Saved the scene (${saved.objects} objects)` };
    } catch (error) {
      this.deps.log(`saving ${s.username}'s scene failed: ${(error as Error).message}`);
      return { at, ok: false, message: `Not saved: ${(error as Error).message}` };
    } finally {
      if (client !== s.client) client.close();
    }
  }
}
