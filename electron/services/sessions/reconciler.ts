import type { Settings } from '../../../shared/settings';
import { BlenderClient } from '../blender/blender-client';
import { IMAGE_FACTS, letInSignal, publishedPair } from '../blender/image-contract';
import { instanceLabels, LABELS } from '../blender/naming';
import { waitForBlender } from '../blender/readiness';
import type { ContainerEngine, ContainerInfo, ContainerSummary } from '../engine/container-engine';
import type { BootBoost } from './boot-boost';
import { forwardSessionPorts, whyDead } from './container-checks';
import type { PortAllocator } from './ports';
import type { Session } from './session';
import type { SessionStore } from './session-store';

export interface ReconcilerDeps {
  engine: ContainerEngine;
  store: SessionStore;
  ports: PortAllocator;
  boost: BootBoost;
  settings: () => Settings;
  instance: string;
  /** Aborts when the panel stops following this engine: waits for an adopted Blender end then. */
  following: () => AbortSignal;
  clock: () => Date;
  log: (message: string) => void;
}

/** Docker's view made the panel's: state rebuilt from labelled containers, running ones adopted, ends outside the panel recorded. */
export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  /**
   * Rebuilds state from the labelled containers Docker has; adopts running ones. The listing may
   * be stale by the time a person's lock is free (a start ran meanwhile), so each decision is
   * taken on a fresh look at that person's current container, under their lock. People are
   * looked at side by side: one whose lock is held (a stop the engine is slow to answer) keeps
   * nobody else waiting.
   */
  async reconcile(): Promise<void> {
    const { engine, store, instance } = this.deps;
    const containers = await engine.containers.list(instanceLabels(instance));
    const seen = new Set<string>();
    const work: Promise<unknown>[] = [];
    for (const c of containers) {
      const userId = c.labels[LABELS.userId];
      const username = c.labels[LABELS.username];
      if (!userId || !username) continue;
      seen.add(userId);
      work.push(store.exclusive(userId, () => this.lookAt(store.of(userId, username), c)));
    }
    for (const s of store.all()) {
      if (seen.has(s.userId) || !s.containerId) continue;
      work.push(store.exclusive(s.userId, async () => {
        if (s.containerId && !(await engine.containers.inspect(s.containerId))) this.markRemoved(s);
      }));
    }
    // Everyone is looked at; the first failure is reported once all are done.
    const outcomes = await Promise.allSettled(work);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** One person's listed container, looked at again under their lock. */
  private async lookAt(s: Session, c: ContainerSummary): Promise<void> {
    if (s.containerId && s.containerId !== c.id) return; // an older container; the session has moved on
    const info = await this.deps.engine.containers.inspect(c.id);
    if (!info) {
      if (s.containerId === c.id) this.markRemoved(s);
      return;
    }
    s.containerId = c.id;
    if (!info.running) {
      if (s.state === 'ready' || s.state === 'waiting' || s.state === 'reconnecting') this.markEnded(s, info);
      else if (s.state !== 'failed') this.deps.store.update(s, { state: 'stopped' });
      return;
    }
    if (s.state === 'ready' && s.client) return;
    // Back after a lost connection: the same Blender, the same tunnels.
    if (s.state === 'reconnecting' && s.client) return void this.deps.store.update(s, { state: 'ready' });
    await this.adopt(s, c.id);
  }

  /** Takes over a container that is running without us (left by an earlier run of the panel). */
  async adopt(s: Session, containerId: string): Promise<void> {
    const { engine, store } = this.deps;
    const info = await engine.containers.inspect(containerId);
    // Its start event came while a start of ours ran, which has since stopped it: nothing to take over.
    if (!info?.running) return;
    const read = await engine.containers.exec(containerId, ['cat', IMAGE_FACTS.secretFile]);
    const secret = read.exitCode === 0 && /^[A-Za-z0-9_-]{16,256}$/.test(read.stdout) ? read.stdout : undefined;
    const published = publishedPair(info.ports);
    if (!secret || !published) {
      store.update(s, { state: 'failed', reason: 'A running container was found that the panel cannot reach; stop it and sign in again.' });
      return;
    }
    const ports = await this.reach(s, published);
    if (!ports) return;
    store.update(s, { state: 'waiting', containerId, ports, secret, reason: null });
    // The last panel may have left it booting with the boost, which nothing would end now.
    await this.deps.boost.end(containerId).catch((e) => this.deps.log(`resetting the CPU share of ${s.username}'s Blender failed: ${(e as Error).message}`));
    // A start the last panel held for its turn goes on now; a Blender already up ignores the signal.
    const letIn = letInSignal(info.labels);
    if (letIn) await engine.containers.signal(containerId, letIn).catch(() => {});
    if (await this.answers(s, containerId, ports.addon, ports.ui, secret)) this.adopted(s, info, ports.addon, secret);
  }

  /** The session's own ports leading to what the container published; null (and the session failed) when they cannot. */
  private async reach(s: Session, published: { addon: number; ui: number }): Promise<{ addon: number; ui: number } | null> {
    const { engine, ports, store } = this.deps;
    try {
      if (!engine.remote) {
        ports.claim(s.userId, published);
        return published;
      }
      const local = await ports.allocate(s.userId);
      store.update(s, { ports: local });
      await forwardSessionPorts(engine, local, published);
      return local;
    } catch (error) {
      store.detach(s, { state: 'failed', reason: `Found ${s.username}'s Blender running but cannot reach it: ${(error as Error).message}` });
      return null;
    }
  }

  private async answers(s: Session, containerId: string, addonPort: number, uiPort: number, secret: string): Promise<boolean> {
    try {
      await waitForBlender({ addonPort, uiPort, secret }, {
        timeoutMs: this.deps.settings().startTimeoutSeconds * 1000,
        whyDead: () => whyDead(this.deps.engine, containerId),
        signal: this.deps.following(),
      });
      return true;
    } catch (error) {
      this.deps.store.detach(s, { state: 'failed', reason: `Found ${s.username}'s Blender running but it does not answer: ${(error as Error).message}` });
      return false;
    }
  }

  private adopted(s: Session, info: ContainerInfo, addonPort: number, secret: string): void {
    const { clock } = this.deps;
    s.client?.close();
    this.deps.store.update(s, {
      state: 'ready',
      client: new BlenderClient({ port: addonPort, secret }),
      startedAt: info.startedAt ? new Date(info.startedAt) : clock(),
      lastActivity: clock(),
    });
    this.deps.log(`adopted ${s.username}'s running Blender`);
  }

  /** The container ended outside the panel: why, in the session's words. */
  markEnded(s: Session, info: ContainerInfo | null): void {
    const { store } = this.deps;
    s.endedOutsideAt = performance.now();
    if (info?.oomKilled || s.oomKilled) {
      store.detach(s, { state: 'failed', reason: `Blender ran out of memory (limit ${this.deps.settings().memoryMiB} MiB) and was stopped` });
    } else if (info && info.exitCode === 0) {
      store.detach(s, { state: 'stopped', reason: 'Stopped outside the panel' });
    } else {
      store.detach(s, { state: 'failed', reason: `Blender stopped unexpectedly (exit code ${info?.exitCode ?? 'unknown'})` });
    }
  }

  markRemoved(s: Session): void {
    // A removal right after a crash (docker rm -f) ends as removed: the container is gone either way.
    const wasActive = s.state !== 'stopped';
    this.deps.store.detach(s, { containerId: null, ...(wasActive ? { state: 'stopped' as const, reason: 'The container was removed outside the panel' } : {}) });
  }
}
