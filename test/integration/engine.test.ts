import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_BASE_IMAGE, contextHash, ensureBlenderImage, CONTEXT_HASH_LABEL } from '../../electron/services/blender/blender-image';
import { IMAGE_FACTS } from '../../electron/services/blender/image-contract';
import { Engine, type BuildProgress } from '../../electron/services/engine/engine';
import { IMAGE, TEST_LABELS, newSecret, testEngine } from '../support/blender';
import { testDocker } from '../support/docker';

const docker = testDocker();

// The Docker wrapper against the real engine: what each failure looks like to the panel.
const engine = testEngine();
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

const spec = (overrides: Partial<Parameters<Engine['containers']['create']>[0]> = {}) => ({
  name: `blender-lab-test-${Math.random().toString(36).slice(2, 10)}`,
  image: IMAGE,
  env: { BLENDER_LAB_SECRET: newSecret() },
  labels: TEST_LABELS,
  ports: [],
  volumes: [],
  limits: { memoryBytes: 1024 ** 3, nanoCpus: 1e9, pids: 256 },
  tmpfs: IMAGE_FACTS.runTmpfs,
  ...overrides,
});

describe('Engine errors', () => {
  it('says Docker is not running when the endpoint does not answer', async () => {
    const nowhere = Engine.connect(`unix://${path.join(os.tmpdir(), 'no-docker-here.sock')}`);
    await expect(nowhere.ping()).rejects.toMatchObject({ code: 'DOCKER_UNAVAILABLE', message: expect.stringMatching(/Docker is not running/) });
  });

  it('rejects an endpoint it cannot use, naming the accepted forms', () => {
    expect(() => Engine.connect('ftp://example')).toThrow("Unsupported Docker endpoint 'ftp://example': use unix:///path/to/docker.sock, ssh://user@host or tcp://host:port with TLS");
  });

  it('says the image is missing and how to build it', async () => {
    await expect(engine.containers.create(spec({ image: 'blender-lab/not-built:never' }))).rejects.toMatchObject({
      code: 'IMAGE_MISSING',
      message: expect.stringContaining('npm run image'),
    });
  });

  it('says which port is taken when another program holds it', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    cleanup.push(() => new Promise((resolve) => holder.close(() => resolve())));
    const id = await engine.containers.create(spec({ ports: [{ containerPort: 3000, hostPort: port }] }));
    cleanup.push(() => engine.containers.remove(id));
    await expect(engine.containers.start(id)).rejects.toMatchObject({ code: 'PORT_TAKEN', message: expect.stringContaining(String(port)) });
  });

  it('reports a name clash as CONFLICT', async () => {
    const s = spec();
    const id = await engine.containers.create(s);
    cleanup.push(() => engine.containers.remove(id));
    await expect(engine.containers.create(s)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('treats stopping a stopped container and removing a removed one as done', async () => {
    const id = await engine.containers.create(spec());
    await engine.containers.stop(id);
    await engine.containers.remove(id);
    await engine.containers.remove(id);
    expect(await engine.containers.inspect(id)).toBeNull();
  });
});

describe('Engine resources', () => {
  it('publishes only on 127.0.0.1 and applies the limits', async () => {
    const id = await engine.containers.create(spec({ ports: [{ containerPort: 9876, hostPort: 0 }] }));
    cleanup.push(() => engine.containers.remove(id));
    const raw = await docker.getContainer(id).inspect();
    expect(raw.HostConfig.PortBindings?.['9876/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: '' }]);
    expect(raw.HostConfig).toMatchObject({ Memory: 1024 ** 3, NanoCpus: 1e9, PidsLimit: 256, CapDrop: ['ALL'] });
    expect(raw.HostConfig.SecurityOpt).toContain('no-new-privileges:true');
  });

  it('creates, finds by label and removes volumes', async () => {
    const name = `blender-lab-test-vol-${Date.now()}`;
    const labels = { ...TEST_LABELS, 'org.blender-lab.user-id': name };
    await engine.volumes.ensure(name, labels);
    await engine.volumes.ensure(name, labels); // idempotent
    expect(await engine.volumes.list(labels)).toEqual([name]);
    expect(await engine.volumes.exists(name)).toBe(true);
    await engine.volumes.remove(name);
    expect(await engine.volumes.exists(name)).toBe(false);
    expect(await engine.volumes.list(labels)).toEqual([]);
  });

  it('keeps a named volume when its container is removed, and drops anonymous ones', async () => {
    const name = `blender-lab-test-keep-${Date.now()}`;
    await engine.volumes.ensure(name, TEST_LABELS);
    cleanup.push(() => engine.volumes.remove(name));
    const withData = await engine.containers.create(spec({ volumes: [{ name, target: '/home/blender' }] }));
    const scratch = await engine.containers.create(spec());
    const anonymous = (await docker.getContainer(scratch).inspect()).Mounts.find((m) => m.Type === 'volume')?.Name;
    expect(anonymous).toBeTruthy();
    await engine.containers.remove(withData);
    await engine.containers.remove(scratch);
    expect(await engine.volumes.exists(name)).toBe(true);
    expect(await engine.volumes.exists(anonymous!)).toBe(false);
  });

  it('finds containers by label', async () => {
    const marker = { ...TEST_LABELS, 'org.blender-lab.user-id': `u-${Date.now()}` };
    const id = await engine.containers.create(spec({ labels: marker }));
    cleanup.push(() => engine.containers.remove(id));
    const found = await engine.containers.list(marker);
    expect(found.map((c) => c.id)).toEqual([id]);
    expect(found[0]?.state).toBe('created');
  });
});

describe('Blender image builds', () => {
  it('knows the built image is up to date and does not rebuild it', async () => {
    const contextDir = path.resolve('docker');
    const hash = await contextHash(contextDir, DEFAULT_BASE_IMAGE);
    const info = await engine.images.info(IMAGE);
    expect(info?.labels[CONTEXT_HASH_LABEL]).toBe(hash);
    const steps: BuildProgress[] = [];
    expect(await ensureBlenderImage(engine.images, { image: IMAGE, contextDir, baseImage: DEFAULT_BASE_IMAGE, onProgress: (p) => steps.push(p) })).toBe('up-to-date');
    expect(steps).toEqual([]);
  });

  it('builds a changed context, reporting every step, then labels it so it is not built again', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'blender-lab-ctx-'));
    const tag = `blender-lab/test-build:${Date.now()}`;
    cleanup.push(async () => {
      await rm(dir, { recursive: true, force: true });
      await docker.getImage(tag).remove({ force: true }).catch(() => {});
    });
    await writeFile(path.join(dir, 'Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY hello.txt /hello.txt\nRUN test -s /hello.txt\n');
    await writeFile(path.join(dir, 'hello.txt'), `hello ${Date.now()}\n`);
    const steps: BuildProgress[] = [];
    const opts = { image: tag, contextDir: dir, baseImage: DEFAULT_BASE_IMAGE, onProgress: (p: BuildProgress) => steps.push(p) };
    expect(await ensureBlenderImage(engine.images, opts)).toBe('built');
    expect(steps.map((s) => `${s.step}/${s.totalSteps}`)).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
    expect(await ensureBlenderImage(engine.images, opts)).toBe('up-to-date');
  });

  it('reports a failing build with the failing step and its output', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'blender-lab-ctx-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, 'Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo "disk on fire" && exit 3\n');
    await expect(
      ensureBlenderImage(engine.images, { image: `blender-lab/test-broken:${Date.now()}`, contextDir: dir, baseImage: DEFAULT_BASE_IMAGE }),
    ).rejects.toMatchObject({ code: 'IMAGE_BUILD_FAILED', message: expect.stringMatching(/returned a non-zero code: 3[\s\S]*disk on fire/) });
  });

  it('says what to run when the base image is missing', async () => {
    await expect(
      ensureBlenderImage(engine.images, { image: 'blender-lab/test-nobase:x', contextDir: path.resolve('docker'), baseImage: 'blender-lab/no-such-base:x' }),
    ).rejects.toMatchObject({ code: 'IMAGE_MISSING', message: expect.stringContaining("npm run image") });
  });
});

describe('networks of their own', () => {
  it('gives 40 people a network each, beyond the 30 or so Docker has room for by default', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `blender-lab-test-net-${process.pid}-${i}`);
    cleanup.push(async () => {
      for (const name of names) await engine.networks.remove(name);
    });
    for (const name of names) await engine.networks.ensure(name, TEST_LABELS, '10.213.0.0/16');
    const subnetOf = async (name: string): Promise<string> => (await docker.getNetwork(name).inspect()).IPAM?.Config?.[0]?.Subnet ?? '';
    const subnets = await Promise.all(names.map(subnetOf));
    expect(new Set(subnets).size).toBe(40);
    for (const subnet of subnets) expect(subnet).toMatch(/^10\.213\.\d+\.\d+\/29$/);
    // Asking again for one that exists changes nothing.
    await engine.networks.ensure(names[0]!, TEST_LABELS, '10.213.0.0/16');
    expect(await subnetOf(names[0]!)).toBe(subnets[0]);
  });

  it('says so when the pool is full', async () => {
    const name = `blender-lab-test-net-${process.pid}-full`;
    const filler = `blender-lab-test-net-${process.pid}-filler`;
    cleanup.push(async () => {
      await engine.networks.remove(filler);
      await engine.networks.remove(name);
    });
    await engine.networks.ensure(filler, TEST_LABELS, '10.214.7.0/29');
    await expect(engine.networks.ensure(name, TEST_LABELS, '10.214.7.0/29')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'Every /29 of the session network pool 10.214.7.0/29 is in use: make networkPool larger',
    });
  });
});
