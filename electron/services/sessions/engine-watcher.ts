import type { Emitter } from '../../../shared/emitter';
import { isActive, type StopReason } from '../../../shared/sessions';
import { STOP_TIMEOUT_S } from '../blender/image-contract';
import { instanceLabels, LABELS } from '../blender/naming';
import type { ContainerEngine, ContainerEvent } from '../engine/container-engine';
import type { Reconciler } from './reconciler';
import { STOP_MESSAGES, type Session } from './session';
import type { SessionStore } from './session-store';

export interface EngineWatcherDeps {
  engine: Pick<ContainerEngine, 'containers' | 'events'>;
  store: SessionStore;
  reconciler: Reconciler;
  stopped: Emitter<{ userId: string; why: StopReason }>;
  instance: string;
  log: (message: string) => void;
}

/** The first wait before reconnecting to an engine that went away, and the longest. */
const BACKOFF_MS = { first: 500, most: 10_000 };

/** Follows the engine's container events, and reconnects with back-off whenever its stream ends. */
export class EngineWatcher {
  private watching: Promise<void> | null = null;

  constructor(private readonly deps: EngineWatcherDeps) {}

  /**
   * Opens the event stream and runs `lookAround` (a reconcile) once it is open: listening first,
   * then looking, so nothing that happens in between is missed. Follows until `signal` aborts.
   */
  async begin(signal: AbortSignal, lookAround: () => Promise<void>): Promise<void> {
    const { ended } = await this.open(signal);
    await lookAround();
    this.watching = this.follow(ended, signal);
  }

  /** Resolves once following has ended (after its signal aborted). */
  async ended(): Promise<void> {
    await this.watching?.catch(() => {});
    this.watching = null;
  }

  /** Once the stream is open: `ended` resolves when it ends (null when it simply closed). */
  private async open(signal: AbortSignal): Promise<{ ended: Promise<Error | null> }> {
    let ended!: (error: Error | null) => void;
    const end = new Promise<Error | null>((resolve) => { ended = resolve; });
    await this.deps.engine.events.watch(
      instanceLabels(this.deps.instance),
      (event) => void this.onEvent(event).catch((e) => this.deps.log(`handling ${event.action} failed: ${e}`)),
      ended,
      signal,
    );
    return { ended: end };
  }

  /** Reconnects whenever the engine goes away, then reconciles: Docker does not replay what we missed. */
  private async follow(ended: Promise<Error | null>, signal: AbortSignal): Promise<void> {
    for (;;) {
      const error = await ended;
      if (signal.aborted) return;
      const running = this.runningWhenLost();
      this.deps.log(`Docker event stream ended${error ? `: ${error.message}` : ''}; reconnecting`);
      for (const s of this.deps.store.all()) if (s.state === 'ready') this.deps.store.update(s, { state: 'reconnecting' });
      const reopened = await this.reopen(signal);
      if (!reopened) return;
      ({ ended } = reopened);
      await this.deps.reconciler.reconcile().catch((e) => this.deps.log(`reconcile after reconnect failed: ${e}`));
      this.tellStoppedByEngine(running);
    }
  }

  /**
   * Who was running when the engine went away, or had just been stopped (an engine stops its
   * containers before it closes the stream): if they are not running when it is back, it was the engine.
   */
  private runningWhenLost(): string[] {
    const now = performance.now();
    const recently = (s: Session) => s.endedOutsideAt !== null && now - s.endedOutsideAt < (STOP_TIMEOUT_S + 10) * 1000;
    return this.deps.store.all().filter((s) => s.state === 'ready' || s.state === 'reconnecting' || s.state === 'waiting' || recently(s)).map((s) => s.userId);
  }

  /** The stream again, once the engine answers; null when following ended meanwhile. */
  private async reopen(signal: AbortSignal): Promise<{ ended: Promise<Error | null> } | null> {
    for (let backoffMs = BACKOFF_MS.first; ; backoffMs = Math.min(backoffMs * 2, BACKOFF_MS.most)) {
      await new Promise((r) => setTimeout(r, backoffMs).unref());
      if (signal.aborted) return null;
      try {
        return await this.open(signal);
      } catch {
        // engine still away; try again later
      }
    }
  }

  private tellStoppedByEngine(userIds: string[]): void {
    const { store } = this.deps;
    for (const userId of userIds) {
      const s = store.find(userId);
      if (!s || isActive(s.state)) continue;
      store.update(s, { reason: STOP_MESSAGES.engine, endedOutsideAt: null });
      this.deps.log(`${s.username}'s Blender was stopped by the engine restart`);
      this.deps.stopped.emit({ userId, why: 'engine' });
    }
  }

  private async onEvent(event: ContainerEvent): Promise<void> {
    const { store, reconciler, engine } = this.deps;
    const userId = event.attributes[LABELS.userId];
    const s = userId ? store.find(userId) : undefined;
    if (!s) {
      if (event.action === 'start' && userId) await reconciler.reconcile();
      return;
    }
    // Events of a container the session has replaced (late, or from a start cut short) say nothing about it now.
    const current = () => s.containerId === event.id;
    if (event.action === 'oom' && current()) s.oomKilled = true;
    // Our own starts and stops produce events too; they are already accounted for.
    if (s.state === 'starting' || s.state === 'stopping') return;
    if (event.action === 'die') {
      await store.exclusive(s.userId, async () => {
        if (!current() || (s.state !== 'ready' && s.state !== 'waiting')) return;
        const info = await engine.containers.inspect(event.id);
        if (!info?.running) reconciler.markEnded(s, info);
      });
    } else if (event.action === 'destroy') {
      await store.exclusive(s.userId, async () => {
        if (current() && !(await engine.containers.inspect(event.id))) reconciler.markRemoved(s);
      });
    } else if (event.action === 'start') {
      await store.exclusive(s.userId, async () => {
        if ((s.state === 'stopped' || s.state === 'failed') && (current() || !s.containerId)) await reconciler.adopt(s, event.id);
      });
    }
  }
}
