import { createHash } from 'node:crypto';
import type { User } from '../../../shared/accounts';
import { AppError } from '../../../shared/errors';
import type { StartProgress } from '../../../shared/sessions';
import type { Settings } from '../../../shared/settings';
import { IMAGE_FACTS, STOP_TIMEOUT_S } from '../blender/image-contract';
import { assetCacheVolumeFor, containerNameFor, instanceLabels, LABELS, networkNameFor, volumeNameFor } from '../blender/naming';
import type { ContainerEngine, ContainerInfo } from '../engine/container-engine';
import type { ImageSupply } from './image-supply';
import type { PortPair } from './ports';
import { cancelled } from './session';

/** Bumped when containers need recreating for reasons the settings do not show (new hardening). */
const CONTAINER_GENERATION = 4;
const SPEC_LABEL = 'org.blender-lab.spec';

/** What the person's container is made of: decided before any container is touched. */
export interface Plan {
  imageId: string;
  labels: Record<string, string>;
  network: string;
  spec: string;
}

/** A person's container and what it needs: the image, their volume and network, its hardened spec, reused while it fits. */
export class PersonContainers {
  constructor(private readonly deps: { engine: ContainerEngine; images: ImageSupply; instance: string }) {}

  /** The image, the person's volume and network, and the spec their container must have. */
  async plan(user: User, settings: Settings, onProgress: (p: StartProgress) => void, cancel: AbortSignal | undefined): Promise<Plan> {
    const { engine } = this.deps;
    onProgress({ step: 'image', message: 'Checking the Blender image' });
    const imageId = await unlessAborted(this.deps.images.ensure(settings.image, onProgress), cancel);
    onProgress({ step: 'volume', message: 'Preparing your files' });
    const labels = { ...instanceLabels(this.deps.instance), [LABELS.userId]: user.id, [LABELS.username]: user.username };
    await engine.volumes.ensure(volumeNameFor(user.username, user.id), labels);
    await engine.volumes.ensure(assetCacheVolumeFor(this.deps.instance), instanceLabels(this.deps.instance));
    // A network of their own: other people's containers cannot even connect to this one.
    const network = networkNameFor(user.username, user.id);
    await engine.networks.ensure(network, labels, settings.networkPool);
    if (cancel?.aborted) throw cancelled();
    return { imageId, labels, network, spec: specHash(imageId, settings, network) };
  }

  /** The person's existing container when it still fits the plan (their data lives in the volume either way). */
  async reusable(user: User, plan: Plan): Promise<ContainerInfo | null> {
    const { containers } = this.deps.engine;
    const info = await containers.inspect(containerNameFor(user.username, user.id));
    // Running but not ready here (started outside the panel, or a start that was cut short):
    // restarted so it gets a fresh secret.
    if (info?.running) await containers.stop(info.id, STOP_TIMEOUT_S);
    if (info && info.labels[SPEC_LABEL] !== plan.spec) {
      await containers.remove(info.id); // new image or limits
      return null;
    }
    return info;
  }

  async create(user: User, settings: Settings, plan: Plan, ports: PortPair): Promise<ContainerInfo> {
    const { engine } = this.deps;
    const id = await engine.containers.create({
      name: containerNameFor(user.username, user.id),
      image: settings.image,
      env: {},
      labels: { ...plan.labels, [SPEC_LABEL]: plan.spec },
      ports: [
        { containerPort: IMAGE_FACTS.addonPort, hostPort: engine.remote ? 0 : ports.addon },
        { containerPort: IMAGE_FACTS.uiPort, hostPort: engine.remote ? 0 : ports.ui },
      ],
      volumes: [
        { name: volumeNameFor(user.username, user.id), target: IMAGE_FACTS.home },
        // Read-only: what one person's Blender sees there, nobody's Blender can change.
        { name: assetCacheVolumeFor(this.deps.instance), target: IMAGE_FACTS.assetCache, readOnly: true },
      ],
      network: plan.network,
      limits: { memoryBytes: settings.memoryMiB * 1024 * 1024, nanoCpus: Math.round(settings.cpus * 1e9), pids: settings.pidsLimit },
      stopTimeoutS: STOP_TIMEOUT_S,
      tmpfs: IMAGE_FACTS.runTmpfs,
    });
    const info = await engine.containers.inspect(id);
    if (!info) throw new AppError('INTERNAL', 'The new container vanished before it started');
    return info;
  }
}

/** `work`, or the cancellation as soon as `signal` aborts (work shared with others, such as an image build, goes on). */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(cancelled());
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/** What decides whether an existing container still fits: the image and the limits. */
function specHash(imageId: string, s: Settings, network: string): string {
  return createHash('sha256').update(JSON.stringify([CONTAINER_GENERATION, imageId, s.memoryMiB, s.cpus, s.pidsLimit, network])).digest('hex').slice(0, 16);
}
