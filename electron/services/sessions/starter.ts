import { randomBytes } from 'node:crypto';
import type { User } from '../../../shared/accounts';
import { AppError, isAppError } from '../../../shared/errors';
import { sceneNotice } from '../../../shared/scene-notice';
import type { SceneNotice, SessionView, StartProgress } from '../../../shared/sessions';
import type { Settings } from '../../../shared/settings';
import { BlenderClient } from '../blender/blender-client';
import { IMAGE_FACTS, letInSignal, publishedPair, sessionFileText } from '../blender/image-contract';
import { waitForBlender, waitForUi } from '../blender/readiness';
import type { ContainerEngine, ContainerInfo } from '../engine/container-engine';
import type { BootBoost } from './boot-boost';
import { forwardSessionPorts, whyDead } from './container-checks';
import type { PersonContainers, Plan } from './person-container';
import type { PortAllocator, PortPair } from './ports';
import { queueTurn, type QueueTurn } from './queue-turn';
import { cancelled, type SceneRequest, type Session, type StartOptions } from './session';
import type { SessionStore } from './session-store';
import type { StartQueue } from './start-queue';
import type { Stopper } from './stopper';

/** A container held for its turn, or not yet let in, holds no work: how long its stop may take. */
const HELD_STOP_TIMEOUT_S = 1;
/** How often a start tries other ports when something grabs its own between the check and Docker's bind. */
const PORT_ATTEMPTS = 3;

export interface StarterDeps {
  engine: ContainerEngine;
  store: SessionStore;
  settings: () => Settings;
  ports: PortAllocator;
  starts: StartQueue;
  boost: BootBoost;
  containers: PersonContainers;
  stopper: Stopper;
  /** Integration keys for a user's container; null when there is no keychain at all. */
  credentials: { environmentFor(userId: string): Promise<Record<string, string>> } | null;
  /** The size Blender's screen was last fitted to on this panel, for anyone's first draw. */
  lastScreen: () => string | null;
  /** Aborts when the panel stops following this engine. */
  following: () => AbortSignal;
  clock: () => Date;
  log: (message: string) => void;
}

/** One start under way: who, what to open, its secret, its place in the queue. */
interface StartRun {
  user: User;
  s: Session;
  settings: Settings;
  onProgress: (p: StartProgress) => void;
  open: SceneRequest;
  because: string | undefined;
  cancel: AbortSignal | undefined;
  /** Aborts when whoever asked is gone, or the panel stops following the engine. */
  waits: AbortSignal;
  secret: string;
  turn: QueueTurn;
  /** Ends this boot and lets the next in line boot; set once the queue let this one in. */
  endBoot: (() => void) | null;
  /** The panel's own ports for it, once chosen. */
  ports: PortPair | null;
  client: BlenderClient | null;
}

/** Starting one person's Blender: a short sequence of named steps, each of which a cancelled sign-in stops between. */
export class Starter {
  constructor(private readonly deps: StarterDeps) {}

  /** Starts (or restarts, or returns) the user's Blender, reporting each step; the caller holds the person's lock. */
  async start(user: User, onProgress: (p: StartProgress) => void, open: SceneRequest, options: StartOptions = {}): Promise<SessionView> {
    if (options.signal?.aborted) throw cancelled();
    const s = this.deps.store.of(user.id, user.username);
    if (await this.alreadyReady(s)) {
      onProgress({ step: 'ready', message: 'Your Blender is ready' });
      return this.deps.store.view(s);
    }
    const run = this.begin(user, s, onProgress, open, options);
    const leaveQueue = () => this.deps.starts.leave(user.id);
    run.cancel?.addEventListener('abort', leaveQueue, { once: true });
    try {
      const plan = await this.deps.containers.plan(run.user, run.settings, run.onProgress, run.cancel);
      const info = await this.launch(run, plan);
      if (this.deps.engine.remote) await this.forwardPorts(info.id, run.ports!);
      if (!run.endBoot) await this.letIn(run, info);
      await this.connect(run, info.id);
      return await this.finish(run, info.id);
    } catch (error) {
      throw await this.abandon(run, error);
    } finally {
      run.cancel?.removeEventListener('abort', leaveQueue);
    }
  }

  private async alreadyReady(s: Session): Promise<boolean> {
    return s.state === 'ready' && !!s.containerId && !!(await this.deps.engine.containers.inspect(s.containerId))?.running;
  }

  private begin(user: User, s: Session, onProgress: (p: StartProgress) => void, open: SceneRequest, { because, signal }: StartOptions): StartRun {
    this.deps.store.update(s, { state: 'starting', reason: null, warnings: [], oomKilled: false });
    // First come, first served: the place in the queue is taken as the start begins; the
    // preparation (image, volume, network, container) goes on meanwhile, and only booting waits.
    const turn = queueTurn(this.deps.starts, user.id, onProgress);
    const following = this.deps.following();
    const waits = signal ? AbortSignal.any([following, signal]) : following;
    return { user, s, settings: this.deps.settings(), onProgress, open, because, cancel: signal, waits, secret: randomBytes(24).toString('base64url'), turn, endBoot: null, ports: null, client: null };
  }

  /** The person's container, made or reused, with its session file written, started. Tries other ports should its own be taken. */
  private async launch(run: StartRun, plan: Plan): Promise<ContainerInfo> {
    const { engine } = this.deps;
    let info = await this.deps.containers.reusable(run.user, plan);
    const keys = await this.credentialEnv(run.s);
    for (let attempt = 1; ; attempt++) {
      const preferred = info ? publishedPair(info.configuredPorts) : null;
      const ports = await this.deps.ports.allocate(run.user.id, engine.remote ? null : preferred);
      // A local engine publishes on the panel's own ports; a remote one on ports of its own
      // choosing (none fixed), which the panel's own ports reach through tunnels.
      const fits = engine.remote ? preferred === null : preferred?.addon === ports.addon && preferred.ui === ports.ui;
      if (info && !fits) {
        await engine.containers.remove(info.id);
        info = null;
      }
      if (!info) {
        run.onProgress({ step: 'container', message: 'Creating your Blender container' });
        info = await this.deps.containers.create(run.user, run.settings, plan, ports);
      }
      run.ports = ports;
      this.deps.store.update(run.s, { containerId: info.id, ports });
      const held = await this.holdOrWait(run, info);
      await engine.files.put(info.id, IMAGE_FACTS.sessionDir, IMAGE_FACTS.sessionFile, this.sessionFile(run, keys, held), { uid: IMAGE_FACTS.uid, gid: IMAGE_FACTS.gid });
      if (!held) run.onProgress({ step: 'booting', message: 'Starting Blender' });
      await this.deps.boost.boost(info.id);
      checkpoint(run);
      try {
        await engine.containers.start(info.id);
        return info;
      } catch (error) {
        // Something grabbed a port between our check and Docker's bind: try the next slot.
        if (!isAppError(error, 'PORT_TAKEN') || attempt >= PORT_ATTEMPTS) throw error;
        this.deps.log(`port taken while starting ${run.user.username}; trying other ports`);
      }
    }
  }

  /**
   * Whether the container starts held back until its turn. The next to boot start their
   * containers while the boots ahead of them end, with Blender held: Docker's start and the
   * display are then off the queue's path. An image that cannot hold waits for its turn here.
   */
  private async holdOrWait(run: StartRun, info: ContainerInfo): Promise<boolean> {
    const letIn = letInSignal(info.labels);
    if (!run.endBoot && letIn) await run.turn.near();
    const held = !run.endBoot && letIn !== null && !run.turn.admitted();
    if (!held) run.endBoot ??= await run.turn.wait();
    return held;
  }

  private sessionFile(run: StartRun, keys: Record<string, string>, held: boolean): Buffer {
    const { settings } = run;
    const screen = this.deps.lastScreen();
    return sessionFileText(keys, {
      BLENDER_LAB_SECRET: run.secret,
      BLENDER_LAB_AUTOSAVE_SECONDS: String(settings.autosaveSeconds),
      BLENDER_LAB_VERSIONS_KEPT: String(settings.versionsKept),
      ...(screen ? { BLENDER_LAB_SCREEN: screen } : {}),
      // Those next in line wait for at most the boots under way; a held container left by a panel
      // that is gone for good gives up after twice that.
      ...(held ? { BLENDER_LAB_HOLD_SECONDS: String(2 * settings.startTimeoutSeconds) } : {}),
      ...run.open,
    });
  }

  private async forwardPorts(containerId: string, ports: PortPair): Promise<void> {
    const published = publishedPair((await this.deps.engine.containers.inspect(containerId))?.ports ?? {});
    await forwardSessionPorts(this.deps.engine, ports, published);
  }

  /** A held container's turn: once its UI is up and the queue lets it in, it is signalled to boot Blender. */
  private async letIn(run: StartRun, info: ContainerInfo): Promise<void> {
    const target = this.target(run);
    const dead = () => whyDead(this.deps.engine, info.id);
    // A held entrypoint serves the UI only once it listens for its turn: a signal sent earlier could end it.
    const [, endBoot] = await Promise.all([waitForUi(target, { timeoutMs: run.settings.startTimeoutSeconds * 1000, whyDead: dead, signal: run.waits }), run.turn.wait()]);
    run.endBoot = endBoot;
    run.onProgress({ step: 'booting', message: 'Starting Blender' });
    await this.deps.boost.boost(info.id); // its bound counts from now, when Blender boots
    await this.deps.engine.containers.signal(info.id, letInSignal(info.labels)!).catch(async (error) => {
      throw new AppError('START_TIMEOUT', `Blender stopped while waiting for its turn: ${(await dead()) ?? (error as Error).message}`);
    });
  }

  /** Waits for Blender's window and add-on, then connects to the add-on with this start's secret. */
  private async connect(run: StartRun, containerId: string): Promise<void> {
    const { s, onProgress } = run;
    this.deps.store.update(s, { state: 'waiting', secret: run.secret });
    await waitForBlender(this.target(run), {
      timeoutMs: run.settings.startTimeoutSeconds * 1000,
      whyDead: () => whyDead(this.deps.engine, containerId),
      onStep: (step) => onProgress(step === 'ui' ? { step: 'ui', message: 'Waiting for the Blender window' } : { step: 'addon', message: 'Waiting for Blender to answer' }),
      signal: run.waits,
    });
    s.client?.close();
    run.client = new BlenderClient({ port: run.ports!.addon, secret: run.secret });
  }

  /** Ready: the person hears which scene opened, the next in the queue boots, and this one is held to its share. */
  private async finish(run: StartRun, containerId: string): Promise<SessionView> {
    const { s, onProgress, because, client } = run;
    const { store, clock } = this.deps;
    const opened = await this.openedScene(client!);
    checkpoint(run);
    const scene: SceneNotice | null = because ? { kind: 'restarted', at: opened?.at ?? null, message: [because, opened?.message].filter(Boolean).join(' ') } : opened;
    if (scene) onProgress({ step: 'scene', message: scene.message });
    const started = await this.deps.engine.containers.inspect(containerId);
    store.update(s, { state: 'ready', client, scene, startedAt: started?.startedAt ? new Date(started.startedAt) : clock(), lastActivity: clock() });
    // Up (asked for its scene while it still came first): the next in the queue boots now.
    run.endBoot!();
    await this.deps.boost.end(containerId);
    onProgress({ step: 'ready', message: 'Your Blender is ready' });
    return store.view(s);
  }

  /** What the entrypoint chose to open, as the person should hear it (logged too). */
  private async openedScene(client: BlenderClient): Promise<SceneNotice | null> {
    try {
      const notice = sceneNotice((await client.request('scenes', {})).opened);
      if (notice) this.deps.log(notice.message);
      return notice;
    } catch (error) {
      this.deps.log(`could not learn which scene was opened: ${(error as Error).message}`);
      return null;
    }
  }

  private async credentialEnv(s: Session): Promise<Record<string, string>> {
    if (!this.deps.credentials) return {};
    try {
      return await this.deps.credentials.environmentFor(s.userId);
    } catch (error) {
      // Blender still starts; the user learns why their integrations have no keys.
      s.warnings.push(`Integration keys were not passed to Blender: ${(error as Error).message}`);
      return {};
    }
  }

  private target(run: StartRun) {
    return { addonPort: run.ports!.addon, uiPort: run.ports!.ui, secret: run.secret };
  }

  /** A start that ends before its Blender is ready: the queue place or slot handed back, and the session says why. */
  private async abandon(run: StartRun, error: unknown): Promise<AppError> {
    const { s } = run;
    run.turn.giveUp();
    if (s.containerId) this.deps.boost.forget(s.containerId);
    if (run.client && run.client !== s.client) run.client.close();
    // Whoever asked is gone (however far the start got, the same words), or the queue was left.
    if (run.cancel?.aborted) return this.cancel(s, run.endBoot !== null, cancelled());
    if (isAppError(error, 'START_CANCELLED')) return this.cancel(s, false, error);
    return this.fail(s, error, run.secret);
  }

  /**
   * A start nobody waits for any more. A container held for its turn holds no work yet: it ends at
   * once. A Blender already let in may have opened the person's work: it is saved and stopped as
   * at sign-out.
   */
  private async cancel(s: Session, letIn: boolean, error: AppError): Promise<AppError> {
    if (letIn) {
      await this.deps.stopper.stop(s.userId, 'sign-out').catch((e) => this.deps.log(`stopping ${s.username}'s cancelled start failed: ${(e as Error).message}`));
    } else if (s.containerId) {
      // Nothing of the person's runs in it yet: a second is enough even for an entrypoint still
      // starting its display, which has not set its trap yet and ends only when killed.
      await this.deps.engine.containers.stop(s.containerId, HELD_STOP_TIMEOUT_S).catch(() => {});
    }
    this.deps.store.detach(s, { state: 'stopped', reason: error.message });
    return error;
  }

  private async fail(s: Session, error: unknown, secret: string): Promise<AppError> {
    const { containers, files } = this.deps.engine;
    const e = isAppError(error) ? error : new AppError('INTERNAL', String((error as Error)?.message ?? error));
    let reason = e.message;
    if (s.containerId && !/Last log lines/.test(reason)) {
      const logs = (await containers.logs(s.containerId, 15).catch(() => '')).trim();
      if (logs) reason += `\nLast log lines:\n${logs}`;
    }
    reason = reason.replaceAll(secret, '[hidden]');
    if (s.containerId) {
      await containers.stop(s.containerId, 5).catch(() => {});
      // A start cut short before the entrypoint read the session file must not leave it behind.
      await files.put(s.containerId, IMAGE_FACTS.sessionDir, IMAGE_FACTS.sessionFile, Buffer.alloc(0), { uid: IMAGE_FACTS.uid, gid: IMAGE_FACTS.gid }).catch(() => {});
    }
    this.deps.store.detach(s, { state: 'failed', reason });
    return new AppError(e.code, reason, { cause: error });
  }
}

function checkpoint(run: StartRun): void {
  if (run.cancel?.aborted) throw cancelled();
}
