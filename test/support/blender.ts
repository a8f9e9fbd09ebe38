import { afterAll, beforeAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { DEFAULT_IMAGE } from '../../electron/services/blender/blender-image';
import { IMAGE_FACTS } from '../../electron/services/blender/image-contract';
import { Engine } from '../../electron/services/engine/engine';
import { waitForBlender } from '../../electron/services/blender/readiness';

export const IMAGE = process.env.BLENDER_LAB_IMAGE ?? DEFAULT_IMAGE;
export const TEST_LABELS = { 'org.blender-lab.test': 'integration' };
export const ADDON_PORT = IMAGE_FACTS.addonPort;
export const UI_PORT = IMAGE_FACTS.uiPort;

export interface TestBlender {
  id: string;
  name: string;
  secret: string;
  addonPort: number;
  uiPort: number;
}

/** Python that prints the size of Blender's own window, as `WIDTHxHEIGHT`. */
export const WINDOW_SIZE_CODE = 'import bpy\nw = bpy.context.window_manager.windows[0]\nprint(f"{w.width}x{w.height}", end="")';

export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

export function testEngine(): Engine {
  return Engine.connect(process.env.BLENDER_LAB_DOCKER_HOST);
}

type LaunchOptions = { secret?: string; name?: string; env?: Record<string, string> };

/** Creates and starts a Blender container on ports Docker picks on 127.0.0.1. */
export async function startBlender(engine: Engine, opts: LaunchOptions = {}): Promise<TestBlender> {
  const launched = await launchBlender(engine, opts);
  return { ...launched, ...(await publishedPorts(engine, launched.id)) };
}

/**
 * Creates and starts a Blender container without reading its ports: for a container a test
 * expects to exit at once, which may be gone before its ports could be read.
 */
export async function launchBlender(engine: Engine, opts: LaunchOptions = {}): Promise<Omit<TestBlender, 'addonPort' | 'uiPort'>> {
  const secret = opts.secret ?? newSecret();
  const name = opts.name ?? `blender-lab-test-${randomBytes(4).toString('hex')}`;
  const id = await engine.containers.create({
    name,
    image: IMAGE,
    env: { BLENDER_LAB_SECRET: secret, ...opts.env },
    labels: TEST_LABELS,
    ports: [
      { containerPort: ADDON_PORT, hostPort: 0 },
      { containerPort: UI_PORT, hostPort: 0 },
    ],
    volumes: [],
    limits: { memoryBytes: 2 * 1024 ** 3, nanoCpus: 1e9, pids: 512 },
    tmpfs: IMAGE_FACTS.runTmpfs,
  });
  await engine.containers.start(id);
  return { id, name, secret };
}

export async function publishedPorts(engine: Engine, id: string): Promise<{ addonPort: number; uiPort: number }> {
  const info = await engine.containers.inspect(id);
  const addonPort = info?.ports[ADDON_PORT];
  const uiPort = info?.ports[UI_PORT];
  if (!addonPort || !uiPort) throw new Error(`container ${id} has no published ports (${info?.status})`);
  return { addonPort, uiPort };
}

export async function untilReady(engine: Engine, blender: TestBlender, timeoutMs = 120_000) {
  return waitForBlender(blender, {
    timeoutMs,
    whyDead: async () => {
      const info = await engine.containers.inspect(blender.id);
      return info?.running ? null : `container ${info?.status ?? 'gone'}: ${await engine.containers.logs(blender.id, 20).catch(() => '')}`;
    },
  });
}

export async function removeTestContainers(engine: Engine): Promise<void> {
  for (const c of await engine.containers.list(TEST_LABELS)) await engine.containers.remove(c.id);
}

/**
 * One ready Blender for every test in a file: started before the first, removed after the last.
 * Returns a getter, since the container exists only once the hook has run.
 */
export function sharedBlender(engine: Engine): () => TestBlender {
  let blender: TestBlender | undefined;
  beforeAll(async () => {
    blender = await startBlender(engine);
    await untilReady(engine, blender);
  });
  afterAll(async () => {
    if (blender) await engine.containers.remove(blender.id);
  });
  return () => {
    if (!blender) throw new Error('the shared Blender has not started');
    return blender;
  };
}
