import type { SshLink } from './ssh/ssh-link';

/** What sessions and files ask of an engine. A second kind of engine is a second implementation of this. */

export interface PortBinding {
  containerPort: number;
  /** 0 lets Docker choose a free port. */
  hostPort: number;
}

export interface ContainerSpec {
  name: string;
  image: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  ports: PortBinding[];
  volumes: { name: string; target: string; readOnly?: boolean }[];
  limits: { memoryBytes: number; nanoCpus: number; pids: number };
  /** A network of the container's own; Docker's default bridge when absent. */
  network?: string;
  /** How long `docker stop` (ours, anyone's, the engine's on shutdown) waits before killing. */
  stopTimeoutS?: number;
  /** Memory-backed folders (path → mount options) besides /tmp, which every container has. */
  tmpfs?: Record<string, string>;
}

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  imageId: string;
  status: string;
  running: boolean;
  exitCode: number;
  oomKilled: boolean;
  health: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  labels: Record<string, string>;
  /** containerPort → host port on 127.0.0.1, for running containers. */
  ports: Record<number, number>;
  /** containerPort → host port the container was created to publish (0: Docker's choice). */
  configuredPorts: Record<number, number>;
}

export interface ContainerSummary {
  id: string;
  name: string;
  state: string;
  labels: Record<string, string>;
}

export interface ContainerEvent {
  action: string;
  id: string;
  attributes: Record<string, string>;
}

export interface ContainerStats {
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
}

export interface ImageInfo {
  id: string;
  labels: Record<string, string>;
}

export interface BuildProgress {
  step: number;
  totalSteps: number;
  message: string;
}

export interface Owner {
  uid: number;
  gid: number;
}

export interface ContainerOps {
  create(spec: ContainerSpec): Promise<string>;
  start(id: string): Promise<void>;
  /** Gives the container `timeoutS` to end by itself (the entrypoint saves on SIGTERM) before the engine kills it. */
  stop(id: string, timeoutS?: number): Promise<void>;
  kill(id: string): Promise<void>;
  signal(id: string, signal: string): Promise<void>;
  remove(id: string): Promise<void>;
  inspect(idOrName: string): Promise<ContainerInfo | null>;
  list(labels: Record<string, string>): Promise<ContainerSummary[]>;
  /** Its weight against others when the CPUs are all busy (1024 is an ordinary share), and how many CPUs it may use. */
  setCpu(id: string, cpu: { shares: number; nanoCpus: number }): Promise<void>;
  exec(id: string, cmd: string[], opts?: { env?: Record<string, string>; maxBytes?: number }): Promise<{ exitCode: number; stdout: string }>;
  stats(id: string): Promise<ContainerStats | null>;
  logs(id: string, tail?: number): Promise<string>;
}

export interface ContainerFileOps {
  put(id: string, dir: string, name: string, data: Buffer, owner: Owner): Promise<void>;
  putStream(id: string, dir: string, name: string, size: number, body: AsyncIterable<Uint8Array>, owner: Owner): Promise<void>;
  readArchive(id: string, filePath: string): Promise<AsyncIterable<Buffer>>;
  read(id: string, filePath: string, maxBytes: number): Promise<Buffer | null>;
}

export interface ImageOps {
  info(name: string): Promise<ImageInfo | null>;
  build(contextDir: string, files: string[], options: { tag: string; buildArgs?: Record<string, string>; labels?: Record<string, string>; onProgress?: (p: BuildProgress) => void }): Promise<void>;
}

export interface VolumeOps {
  ensure(name: string, labels: Record<string, string>): Promise<void>;
  exists(name: string): Promise<boolean>;
  remove(name: string): Promise<void>;
  list(labels: Record<string, string>): Promise<string[]>;
}

export interface NetworkOps {
  ensure(name: string, labels: Record<string, string>, pool: string): Promise<void>;
  remove(name: string): Promise<void>;
  list(labels: Record<string, string>): Promise<string[]>;
}

export interface EventOps {
  /** Follows events of containers with `labels` until `signal` aborts; `onEnd` says when the stream ended. */
  watch(labels: Record<string, string>, onEvent: (event: ContainerEvent) => void, onEnd: (error: Error | null) => void, signal: AbortSignal): Promise<void>;
}

export interface ContainerEngine {
  readonly containers: ContainerOps;
  readonly files: ContainerFileOps;
  readonly images: ImageOps;
  readonly volumes: VolumeOps;
  readonly networks: NetworkOps;
  readonly events: EventOps;
  /** Whether published ports are on another machine, reached through `forwardPort`. */
  readonly remote: boolean;
  /** The SSH connection an ssh:// engine is reached through, else null. */
  readonly link: SshLink | null;
  ping(): Promise<void>;
  cpuCount(): Promise<number>;
  /** Makes a port the engine published answer on this machine's 127.0.0.1:`localPort`. */
  forwardPort(localPort: number, enginePort: number): Promise<void>;
  /** Closes what `forwardPort` opened for `localPort`. */
  closeForward(localPort: number): void;
  close(): void;
}
