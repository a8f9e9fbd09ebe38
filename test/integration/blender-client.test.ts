import { describe, expect, it } from 'vitest';
import { BlenderClient } from '../../electron/services/blender/blender-client';
import { sharedBlender, startBlender, testEngine, untilReady } from '../support/blender';
import { waitFor } from '../support/wait';

// The panel's client against a real Blender: typed results, queueing, timeouts, limits, reconnects.
const engine = testEngine();
const blenderUnderTest = sharedBlender(engine);

const client = (extra: Partial<ConstructorParameters<typeof BlenderClient>[0]> = {}) =>
  new BlenderClient({ port: blenderUnderTest().addonPort, secret: blenderUnderTest().secret, ...extra });

describe('BlenderClient', () => {
  it('authenticates once and returns typed results', async () => {
    const c = client();
    const scene = await c.getSceneInfo();
    expect(scene.objects.find((o) => o.name === 'Cube')?.type).toBe('MESH');
    const cube = await c.getObjectInfo('Cube');
    expect(cube.mesh?.polygons).toBe(6);
    expect((await c.executeCode('print("hi")')).result).toBe('hi\n');
    const shot = await c.getViewportScreenshot(320);
    expect(Math.max(shot.width, shot.height)).toBe(320);
    c.close();
  });

  it('queues concurrent requests and answers each in order', async () => {
    const c = client();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => c.executeCode(`print(${i})`)));
    expect(results.map((r) => r.result.trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    c.close();
  });

  it('reports a Python error as BLENDER_COMMAND_FAILED with the message', async () => {
    const c = client();
    await expect(c.executeCode('1/0')).rejects.toMatchObject({
      code: 'BLENDER_COMMAND_FAILED',
      message: 'ZeroDivisionError: division by zero (line 1)',
    });
    expect((await c.ping()).pong).toBe(true);
    c.close();
  });

  it('rejects invalid parameters before sending anything', async () => {
    const c = client();
    await expect(c.getViewportScreenshot(5)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(c.getObjectInfo('')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(c.connected).toBe(false);
    c.close();
  });

  it('says so when the secret is wrong', async () => {
    const c = client({ secret: 'not-the-secret-at-all' });
    await expect(c.ping()).rejects.toMatchObject({ code: 'BLENDER_AUTH_REJECTED' });
    c.close();
  });

  it('says so when nothing listens on the port', async () => {
    const c = new BlenderClient({ port: 1, secret: blenderUnderTest().secret });
    await expect(c.ping()).rejects.toMatchObject({ code: 'BLENDER_UNREACHABLE' });
    c.close();
  });

  it('times a slow command out, then carries on with a new connection', async () => {
    const c = client();
    await expect(c.executeCode('import time; time.sleep(2)', 300)).rejects.toMatchObject({ code: 'BLENDER_TIMEOUT' });
    expect((await c.executeCode('print("after")')).result).toBe('after\n');
    c.close();
  });

  it('refuses a reply over its size limit and recovers', async () => {
    const c = client({ maxResponseBytes: 1024 * 1024 });
    await expect(c.executeCode('print("z" * 2_000_000)')).rejects.toMatchObject({ code: 'BLENDER_RESPONSE_TOO_LARGE' });
    expect((await c.ping()).pong).toBe(true);
    c.close();
  });

  it('fails every queued request once closed', async () => {
    const c = client();
    const outcomes = [c.executeCode('import time; time.sleep(0.3)'), c.ping(), c.ping()].map((p) =>
      p.then(() => 'answered', (e: { code: string }) => e.code),
    );
    c.close();
    expect(await Promise.all(outcomes)).toEqual(Array(3).fill('BLENDER_CONNECTION_LOST'));
    await expect(c.ping()).rejects.toMatchObject({ code: 'BLENDER_CONNECTION_LOST' });
  });
});

describe('BlenderClient across a container restart', () => {
  it('fails the request in flight when Blender goes away, and reconnects after it is back', async () => {
    const other = await startBlender(engine);
    try {
      await untilReady(engine, other);
      const c = new BlenderClient({ port: other.addonPort, secret: other.secret });
      expect((await c.ping()).pong).toBe(true);
      const inFlight = c.executeCode('import time; time.sleep(30)').then(() => 'answered', (e: { code: string }) => e.code);
      await engine.containers.kill(other.id);
      expect(await inFlight).toBe('BLENDER_CONNECTION_LOST');
      await engine.containers.start(other.id);
      // Same container, same env: the same secret and the same published ports after a restart.
      const ports = await engine.containers.inspect(other.id);
      expect(ports?.ports[9876]).toBeGreaterThan(0);
      const reconnected = new BlenderClient({ port: ports!.ports[9876]!, secret: other.secret, connectTimeoutMs: 1000 });
      const pong = await waitFor('Blender back after kill + start', () => reconnected.ping(), { timeoutMs: 120_000, intervalMs: 250 });
      expect(pong.pong).toBe(true);
      reconnected.close();
      c.close();
    } finally {
      await engine.containers.remove(other.id);
    }
  });
});
