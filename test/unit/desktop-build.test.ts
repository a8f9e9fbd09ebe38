import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../shared/methods';

// The built output checked the way Electron loads it, since the Electron binary cannot run here.
beforeAll(() => {
  execFileSync('npx', ['electron-vite', 'build'], { stdio: 'ignore' });
}, 120_000);

/** What Electron's sandbox gives a preload: require of these four modules only. */
const SANDBOX_MODULES = ['electron', 'events', 'timers', 'url'];

function loadPreload() {
  const exposed: Record<string, any> = {};
  const invoked: [string, unknown][] = [];
  const listeners: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => { exposed[key] = value; } },
    ipcRenderer: {
      invoke: async (channel: string, input: unknown) => { invoked.push([channel, input]); return { ok: true, value: null }; },
      on: (channel: string) => { listeners.push(channel); },
      removeListener: () => {},
    },
  };
  const sandboxRequire = (name: string) => {
    if (!SANDBOX_MODULES.includes(name)) throw new Error(`module not found: ${name}`);
    return name === 'electron' ? electron : createRequire(import.meta.url)(name);
  };
  const code = readFileSync('out/preload/preload.cjs', 'utf8');
  const module = { exports: {} };
  vm.runInNewContext(`(function (require, module, exports) {${code}\n})`, { console })(sandboxRequire, module, module.exports);
  return { exposed, invoked, listeners };
}

describe('the built preload', () => {
  it('loads under the sandbox\'s require and exposes every API method by name', async () => {
    const { exposed, invoked } = loadPreload();
    const bridge = exposed.blenderLab;
    expect(Object.keys(exposed)).toEqual(['blenderLab']);
    expect(Object.keys(bridge.api).sort()).toEqual([...METHOD_NAMES].sort());
    await bridge.api['blender.sceneInfo']({});
    expect(invoked).toEqual([['api:blender.sceneInfo', {}]]);
  });

  it('subscribes to the panel\'s events only', () => {
    const { exposed, listeners } = loadPreload();
    exposed.blenderLab.on('session.changed', () => {});
    expect(listeners).toEqual(['event:session.changed']);
    expect(() => exposed.blenderLab.on('ipc-anything', () => {})).toThrow('Unknown event ipc-anything');
  });

  it('is one small file with no schema library in it', () => {
    const code = readFileSync('out/preload/preload.cjs', 'utf8');
    expect([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(code).not.toMatch(/zod|ZodError/);
    expect(code.length).toBeLessThan(8 * 1024);
  });
});

function withoutDevServer(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { ELECTRON_RENDERER_URL: _dev, ...rest } = env;
  return rest;
}

describe('the built main bundle', () => {
  it('starts to its window when every native module fails to load, as Node-built ones do in Electron', async () => {
    const userData = mkdtempSync(path.join(os.tmpdir(), 'blender-lab-electron-'));
    try {
      const child = spawn(process.execPath, ['--import', './test/support/electron-runtime/register.mjs', 'out/main/main.js'], {
        env: { ...withoutDevServer(process.env), FAKE_USER_DATA: userData },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
      child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const opened = await Promise.race([
        new Promise<boolean>((resolve) => {
          const check = setInterval(() => {
            if (/^LOAD /m.test(out)) { clearInterval(check); resolve(true); }
          }, 50);
          void exited.then(() => { clearInterval(check); resolve(false); });
        }),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 60_000)),
      ]);
      child.kill('SIGKILL');
      expect(opened, out).toBe(true);
      expect(out).not.toMatch(/ERRORBOX|NODE_MODULE_VERSION|SyntaxError|ERR_/);
      expect(out).toMatch(/^LOAD app:\/\/panel\/index\.html$/m);
      expect(out).toMatch(/^PROTOCOL app$/m);
      expect(out).toMatch(/^POWER lock-screen$/m);
      expect(out).toMatch(/^POWER suspend$/m);
      // keytar (built for Node) is never touched by the desktop app.
      expect(out).not.toMatch(/DLOPEN .*keytar/);
    } finally {
      rmSync(userData, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('the packaged app', () => {
  it('sets Electron\'s fuses: no Node mode, no NODE_OPTIONS or inspector, encrypted cookies, asar only and checked', () => {
    const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): any };
    const config = yaml.load(readFileSync('electron-builder.yml', 'utf8'));
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });
});
