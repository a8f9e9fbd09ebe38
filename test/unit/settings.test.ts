import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore, MemoryStore } from '../../electron/services/storage/document-store';
import { checkEndpoint, tlsFilesFrom } from '../../electron/services/engine/endpoint';
import { SettingsService } from '../../electron/services/settings/settings';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from '../../shared/settings';

const fresh = () => new SettingsService(new MemoryStore<Settings>(DEFAULT_SETTINGS));

describe('settings', () => {
  it('starts from the documented defaults', () => {
    expect(fresh().get()).toEqual({
      image: 'blender-lab/blender:latest',
      addonPortBase: 10000,
      uiPortBase: 13000,
      portRangeSize: 100,
      idleTimeoutMinutes: 30,
      signOutIdleMinutes: 15,
      signInMaxHours: 12,
      autosaveSeconds: 60,
      versionsKept: 5,
      mcpPort: 9711,
      mcpTokenDays: 90,
      maxConcurrentStarts: 0,
      uploadLimitMiB: 2048,
      polyhavenUrl: 'https://api.polyhaven.com',
      sketchfabUrl: 'https://api.sketchfab.com/v3',
      hyper3dUrl: 'https://hyperhuman.deemos.com/api',
      hunyuan3dUrl: 'https://hunyuan.tencentcloudapi.com',
      assetDownloadLimitMiB: 2048,
      networkPool: '10.213.0.0/16',
      tlsCaPath: '',
      tlsCertPath: '',
      tlsKeyPath: '',
      publishAddress: '',
      sshKeyPath: '',
      memoryMiB: 2048,
      cpus: 1,
      pidsLimit: 1024,
      startTimeoutSeconds: 180,
      signUpAllowed: true,
      dockerEndpoint: '',
    });
  });

  it('accepts a valid change and tells listeners', () => {
    const settings = fresh();
    const heard: number[] = [];
    settings.changed.on(({ next, previous }) => heard.push(previous.idleTimeoutMinutes, next.idleTimeoutMinutes));
    expect(settings.update({ idleTimeoutMinutes: 45, signUpAllowed: false }).idleTimeoutMinutes).toBe(45);
    expect(heard).toEqual([30, 45]);
    expect(settings.get().signUpAllowed).toBe(false);
  });

  it.each([
    [{ idleTimeoutMinutes: 0 }, 'idleTimeoutMinutes: must be at least 1'],
    [{ idleTimeoutMinutes: 'soon' }, 'idleTimeoutMinutes: must be a number'],
    [{ memoryMiB: 100 }, 'memoryMiB: must be at least 512'],
    [{ cpus: 0 }, 'cpus: must be at least 0.25'],
    [{ addonPortBase: 80 }, 'addonPortBase: must be at least 1024'],
    [{ uiPortBase: 10050 }, 'uiPortBase: the add-on and UI port ranges overlap'],
    [{ image: 'Bad Image!' }, 'image: must be a Docker image reference like blender-lab/blender:latest'],
    [{ dockerEndpoint: 'http://x' }, 'dockerEndpoint: must be empty (the default) or start with unix://, ssh://, tcp:// or npipe://'],
    [{ signUpAllowed: 'yes' }, 'signUpAllowed: must be true or false'],
    [{ tlsCaPath: '/etc/docker/ca.pem' }, 'tlsCaPath: give all three of tlsCaPath, tlsCertPath and tlsKeyPath, or none'],
    [{ tlsCaPath: 'ca.pem', tlsCertPath: '/c', tlsKeyPath: '/k' }, 'tlsCaPath: must be empty or an absolute path'],
    [{ networkPool: '10.213.0.0/30' }, 'networkPool: must be an IPv4 range like 10.213.0.0/16 (from /8 to /28)'],
    [{ publishAddress: 'gpu-server.lab' }, 'publishAddress: must be empty or an IPv4 address like 192.168.1.20'],
    [{ polyhavenUrl: 'http://mirror.lab/polyhaven' }, 'polyhavenUrl: must be an https:// address (or http:// to 127.0.0.1 or localhost), without a query'],
    [{ polyhavenUrl: 'https://api.polyhaven.com/?key=1' }, 'polyhavenUrl: must be an https:// address (or http:// to 127.0.0.1 or localhost), without a query'],
    [{ assetDownloadLimitMiB: 0 }, 'assetDownloadLimitMiB: must be at least 1'],
    [{ colour: 'red' }, 'unknown setting colour'],
  ])('refuses %j with "%s" and keeps the old value', (patch, message) => {
    const settings = fresh();
    expect(() => settings.update(patch)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message }));
    expect(settings.get()).toEqual(DEFAULT_SETTINGS);
  });

  it('refuses a plain-text tcp:// engine as the panel would (with its reason), and keeps the old value', () => {
    const settings = new SettingsService(new MemoryStore<Settings>(DEFAULT_SETTINGS), (next) => checkEndpoint(next.dockerEndpoint || undefined, tlsFilesFrom(next, {}), {}));
    expect(() => settings.update({ dockerEndpoint: 'tcp://10.0.0.5:2375' })).toThrow(/^tcp:\/\/10\.0\.0\.5:2375 is plain text: session secrets and integration keys would cross the network readable/);
    expect(settings.get().dockerEndpoint).toBe('');
  });

  it.each([
    ['ssh://ops:hunter2@gpu-server', 'An ssh:// endpoint carries no password: the SSH agent or a key file signs in'],
    ['ssh://ops@gpu-server/var/run/docker.sock', 'An ssh:// endpoint has no path: ssh://ops@gpu-server/var/run/docker.sock'],
  ])('refuses the engine %s with "%s" and keeps the old value', (dockerEndpoint, message) => {
    const settings = new SettingsService(new MemoryStore<Settings>(DEFAULT_SETTINGS), (next) => checkEndpoint(next.dockerEndpoint || undefined, tlsFilesFrom(next, {}), {}));
    expect(() => settings.update({ dockerEndpoint })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message }));
    expect(settings.get().dockerEndpoint).toBe('');
    expect(settings.update({ dockerEndpoint: 'ssh://ops@gpu-server:2222', sshKeyPath: '/home/ops/.ssh/lab' }).dockerEndpoint).toBe('ssh://ops@gpu-server:2222');
  });

  it('refuses something that is not an object', () => {
    expect(() => fresh().update(['idle', 3])).toThrow('Settings must be an object of field: value');
  });

  it('persists to a file and reports a damaged one, keeping a copy', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'blender-lab-settings-'));
    new SettingsService(new FileStore(dir, 'settings', settingsSchema)).update({ memoryMiB: 4096 });
    expect(new SettingsService(new FileStore(dir, 'settings', settingsSchema)).get().memoryMiB).toBe(4096);
    await writeFile(path.join(dir, 'settings.json'), JSON.stringify({ memoryMiB: 'lots' }));
    expect(() => new FileStore(dir, 'settings', settingsSchema)).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
    expect((await readdir(dir)).some((f) => f.startsWith('settings.json.corrupt-'))).toBe(true);
  });
});
