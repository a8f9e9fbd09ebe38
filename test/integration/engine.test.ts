import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_BASE_IMAGE, contextHash, ensureBlenderImage, CONTEXT_HASH_LABEL } from '../../electron/services/blender/blender-image';
import { Engine, type BuildProgress } from '../../electron/services/engine/engine';
import { IMAGE, TEST_LABELS, newSecret, testEngine } from '../support/blender';

// The Docker wrapper against the real engine: what each failure looks like to the panel.
const engine = testEngine();
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

const spec = (overrides: Partial<Parameters<Engine['createContainer']>[0]> = {}) => ({
  name: `blender-lab-test-${Math.random().toString(36).slice(2, 10)}`,
  image: IMAGE,
  env: { BLENDER_LAB_SECRET: newSecret() },
  labels: TEST_LABELS,
  ports: [],
  volumes: [],
  limits: { memoryBytes: 1024 ** 3, nanoCpus: 1e9, pids: 256 },
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
    await expect(engine.createContainer(spec({ image: 'blender-lab/not-built:never' }))).rejects.toMatchObject({
      code: 'IMAGE_MISSING',
      message: expect.stringContaining('npm run image'),
    });
  });

  it('says which port is taken when another program holds it', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    cleanup.push(() => new Promise((resolve) => holder.close(() => resolve())));
    const id = await engine.createContainer(spec({ ports: [{ containerPort: 3000, hostPort: port }] }));
    cleanup.push(() => engine.removeContainer(id));
    await expect(engine.startContainer(id)).rejects.toMatchObject({ code: 'PORT_TAKEN', message: expect.stringContaining(String(port)) });
  });

  it('reports a name clash as CONFLICT', async () => {
    const s = spec();
    const id = await engine.createContainer(s);
    cleanup.push(() => engine.removeContainer(id));
    await expect(engine.createContainer(s)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('treats stopping a stopped container and removing a removed one as done', async () => {
    const id = await engine.createContainer(spec());
    await engine.stopContainer(id);
    await engine.removeContainer(id);
    await engine.removeContainer(id);
    expect(await engine.inspectContainer(id)).toBeNull();
  });
});

describe('Engine resources', () => {
  it('publishes only on 127.0.0.1 and applies the limits', async () => {
    const id = await engine.createContainer(spec({ ports: [{ containerPort: 9876, hostPort: 0 }] }));
    cleanup.push(() => engine.removeContainer(id));
    const raw = await engine.docker.getContainer(id).inspect();
    expect(raw.HostConfig.PortBindings?.['9876/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: '' }]);
    expect(raw.HostConfig).toMatchObject({ Memory: 1024 ** 3, NanoCpus: 1e9, PidsLimit: 256, CapDrop: ['ALL'] });
    expect(raw.HostConfig.SecurityOpt).toContain('no-new-privileges:true');
  });

  it('creates, finds by label and removes volumes', async () => {
    const name = `blender-lab-test-vol-${Date.now()}`;
    const labels = { ...TEST_LABELS, 'org.blender-lab.user-id': name };
    await engine.ensureVolume(name, labels);
    await engine.ensureVolume(name, labels); // idempotent
    expect(await engine.listVolumes(labels)).toEqual([name]);
    expect(await engine.volumeExists(name)).toBe(true);
    await engine.removeVolume(name);
    expect(await engine.volumeExists(name)).toBe(false);
    expect(await engine.listVolumes(labels)).toEqual([]);
  });

  it('keeps a named volume when its container is removed, and drops anonymous ones', async () => {
    const name = `blender-lab-test-keep-${Date.now()}`;
    await engine.ensureVolume(name, TEST_LABELS);
    cleanup.push(() => engine.removeVolume(name));
    const withData = await engine.createContainer(spec({ volumes: [{ name, target: '/home/blender' }] }));
    const scratch = await engine.createContainer(spec());
    const anonymous = (await engine.docker.getContainer(scratch).inspect()).Mounts.find((m) => m.Type === 'volume')?.Name;
    expect(anonymous).toBeTruthy();
    await engine.removeContainer(withData);
    await engine.removeContainer(scratch);
    expect(await engine.volumeExists(name)).toBe(true);
    expect(await engine.volumeExists(anonymous!)).toBe(false);
  });

  it('finds containers by label', async () => {
    const marker = { ...TEST_LABELS, 'org.blender-lab.user-id': `u-${Date.now()}` };
    const id = await engine.createContainer(spec({ labels: marker }));
    cleanup.push(() => engine.removeContainer(id));
    const found = await engine.listContainers(marker);
    expect(found.map((c) => c.id)).toEqual([id]);
    expect(found[0]?.state).toBe('created');
  });
});

describe('Blender image builds', () => {
  it('knows the built image is up to date and does not rebuild it', async () => {
    const contextDir = path.resolve('docker');
    const hash = await contextHash(contextDir, DEFAULT_BASE_IMAGE);
    const info = await engine.imageInfo(IMAGE);
    expect(info?.labels[CONTEXT_HASH_LABEL]).toBe(hash);
    const steps: BuildProgress[] = [];
    expect(await ensureBlenderImage(engine, { image: IMAGE, contextDir, baseImage: DEFAULT_BASE_IMAGE, onProgress: (p) => steps.push(p) })).toBe('up-to-date');
    expect(steps).toEqual([]);
  });

  it('builds a changed context, reporting every step, then labels it so it is not built again', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'blender-lab-ctx-'));
    const tag = `blender-lab/test-build:${Date.now()}`;
    cleanup.push(async () => {
      await rm(dir, { recursive: true, force: true });
      await engine.docker.getImage(tag).remove({ force: true }).catch(() => {});
    });
    await writeFile(path.join(dir, 'Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY hello.txt /hello.txt\nRUN test -s /hello.txt\n');
    await writeFile(path.join(dir, 'hello.txt'), `hello ${Date.now()}\n`);
    const steps: BuildProgress[] = [];
    const opts = { image: tag, contextDir: dir, baseImage: DEFAULT_BASE_IMAGE, onProgress: (p: BuildProgress) => steps.push(p) };
    expect(await ensureBlenderImage(engine, opts)).toBe('built');
    expect(steps.map((s) => `${s.step}/${s.totalSteps}`)).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
    expect(await ensureBlenderImage(engine, opts)).toBe('up-to-date');
  });

  it('reports a failing build with the failing step and its output', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'blender-lab-ctx-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, 'Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo "disk on fire" && exit 3\n');
    await expect(
      ensureBlenderImage(engine, { image: `blender-lab/test-broken:${Date.now()}`, contextDir: dir, baseImage: DEFAULT_BASE_IMAGE }),
    ).rejects.toMatchObject({ code: 'IMAGE_BUILD_FAILED', message: expect.stringMatching(/returned a non-zero code: 3[\s\S]*disk on fire/) });
  });

  it('says what to run when the base image is missing', async () => {
    await expect(
      ensureBlenderImage(engine, { image: 'blender-lab/test-nobase:x', contextDir: path.resolve('docker'), baseImage: 'blender-lab/no-such-base:x' }),
    ).rejects.toMatchObject({ code: 'IMAGE_MISSING', message: expect.stringContaining("npm run image") });
  });
});

describe('networks of their own', () => {
  it('gives 40 people a network each, beyond the 30 or so Docker has room for by default', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `blender-lab-test-net-${process.pid}-${i}`);
    cleanup.push(async () => {
      for (const name of names) await engine.removeNetwork(name);
    });
    for (const name of names) await engine.ensureNetwork(name, TEST_LABELS, '10.213.0.0/16');
    const subnetOf = async (name: string): Promise<string> => (await engine.docker.getNetwork(name).inspect()).IPAM?.Config?.[0]?.Subnet ?? '';
    const subnets = await Promise.all(names.map(subnetOf));
    expect(new Set(subnets).size).toBe(40);
    for (const subnet of subnets) expect(subnet).toMatch(/^10\.213\.\d+\.\d+\/29$/);
    // Asking again for one that exists changes nothing.
    await engine.ensureNetwork(names[0]!, TEST_LABELS, '10.213.0.0/16');
    expect(await subnetOf(names[0]!)).toBe(subnets[0]);
  });

  it('says so when the pool is full', async () => {
    const name = `blender-lab-test-net-${process.pid}-full`;
    const filler = `blender-lab-test-net-${process.pid}-filler`;
    cleanup.push(async () => {
      await engine.removeNetwork(filler);
      await engine.removeNetwork(name);
    });
    await engine.ensureNetwork(filler, TEST_LABELS, '10.214.7.0/29');
    await expect(engine.ensureNetwork(name, TEST_LABELS, '10.214.7.0/29')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'Every /29 of the session network pool 10.214.7.0/29 is in use: make networkPool larger',
    });
  });
});
