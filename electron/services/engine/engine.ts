import { AppError } from '../../../shared/errors';
import type { ContainerEngine } from './container-engine';
import { DockerContainerFiles } from './container-files';
import { DockerContainers } from './containers';
import { closeConnection, DockerCalls, type Connection } from './docker-calls';
import { openConnection, type EngineAccess } from './endpoint';
import { DockerEvents } from './events';
import { DockerImages } from './images';
import { DockerNetworks } from './networks';
import type { SshLink } from './ssh/ssh-link';
import { DockerVolumes } from './volumes';

export type * from './container-engine';
export { DOCKER_DEADLINE_MS } from './docker-calls';

/**
 * One Docker engine: the only code that talks to Docker. Its parts share one connection, which
 * Settings may switch to another engine; every failure comes out as an AppError with a stable code.
 */
export class Engine implements ContainerEngine {
  private readonly api: DockerCalls;
  readonly containers: DockerContainers;
  readonly files: DockerContainerFiles;
  readonly images: DockerImages;
  readonly volumes: DockerVolumes;
  readonly networks: DockerNetworks;
  readonly events: DockerEvents;

  private constructor(connection: Connection) {
    this.api = new DockerCalls(connection);
    this.containers = new DockerContainers(this.api);
    this.files = new DockerContainerFiles(this.api);
    this.images = new DockerImages(this.api);
    this.volumes = new DockerVolumes(this.api);
    this.networks = new DockerNetworks(this.api);
    this.events = new DockerEvents(this.api);
  }

  static connect(endpoint?: string, access: EngineAccess = {}, env: NodeJS.ProcessEnv = process.env): Engine {
    return new Engine(openConnection(endpoint, access, env));
  }

  /** How long an ordinary request may take (DOCKER_DEADLINE_MS unless a test says otherwise). */
  get deadlineMs(): number {
    return this.api.deadlineMs;
  }

  set deadlineMs(ms: number) {
    this.api.deadlineMs = ms;
  }

  get link(): SshLink | null {
    return this.api.connection.link;
  }

  /** From now on talks to `next`'s engine (an endpoint changed in Settings); the old connection and its tunnels are closed. */
  switchTo(next: Engine): void {
    if (next.api.connection === this.api.connection) return;
    const old = this.api.connection;
    this.api.connection = next.api.connection;
    closeConnection(old);
  }

  /**
   * Whether containers publish on ports of Docker's choosing on another machine, reached through
   * tunnels (`forwardPort`), rather than on the ports the panel chose on this one.
   */
  get remote(): boolean {
    return this.api.connection.tunnels !== null;
  }

  async forwardPort(localPort: number, enginePort: number): Promise<void> {
    const { tunnels } = this.api.connection;
    if (tunnels) await tunnels.forward(localPort, enginePort);
    else if (localPort !== enginePort) throw new AppError('INTERNAL', `A local engine publishes on the panel's own ports (${localPort}, not ${enginePort})`);
  }

  closeForward(localPort: number): void {
    this.api.connection.tunnels?.close(localPort);
  }

  /** Ends the connection to a remote engine and its tunnels. */
  close(): void {
    closeConnection(this.api.connection);
  }

  async ping(): Promise<void> {
    const { docker } = this.api;
    await this.api.call('reach Docker', (abortSignal) => (docker.ping as unknown as (opts: object) => Promise<unknown>).call(docker, { abortSignal }));
  }

  /** How many CPUs the engine's host has. */
  async cpuCount(): Promise<number> {
    const { docker } = this.api;
    const info = docker.info as unknown as (opts: object) => Promise<{ NCPU?: number }>;
    return this.api.call("read the engine's CPU count", async (abortSignal) => (await info.call(docker, { abortSignal })).NCPU || 1);
  }
}
