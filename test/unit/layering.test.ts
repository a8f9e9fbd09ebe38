import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The dependency direction renderer → shared ← electron/services ← electron, as lint enforces it.
const eslint = new ESLint();

async function violations(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('layering', () => {
  it('lets electron/ import Electron', async () => {
    expect(await violations('electron/tray.ts', "import { Tray } from 'electron';\nexport const t = Tray;\n")).toEqual([]);
  });

  it('keeps Electron out of services/', async () => {
    expect(await violations('electron/services/sessions/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
  });

  it('keeps each domain of services/ to the domains below it', async () => {
    // The engine knows nothing of sessions; sessions know nothing of the API; accounts nothing of the engine.
    expect(await violations('electron/services/engine/x.ts', "import { SessionManager } from '../sessions/sessions';\nexport const s = SessionManager;\n")).toEqual([
      "'../sessions/sessions' import is restricted from being used by a pattern. services/engine/ may import only shared/ (see DOMAINS in eslint.config.js).",
    ]);
    expect(await violations('electron/services/engine/ssh/x.ts', "import { FileService } from '../../files/files';\nexport const f = FileService;\n")).toHaveLength(1);
    expect(await violations('electron/services/sessions/x.ts', "import { ApiServer } from '../api/api-server';\nexport const a = ApiServer;\n")).toEqual([
      "'../api/api-server' import is restricted from being used by a pattern. services/sessions/ may import only engine/, blender/ and shared/ (see DOMAINS in eslint.config.js).",
    ]);
    expect(await violations('electron/services/accounts/x.ts', "import { Engine } from '../engine/engine';\nexport const e = Engine;\n")).toHaveLength(1);
    // What a domain may use is allowed, and app/ wires them all.
    expect(await violations('electron/services/sessions/x.ts', "import { Engine } from '../engine/engine';\nimport { AppError } from '../../../shared/errors';\nexport const e = [Engine, AppError];\n")).toEqual([]);
    expect(await violations('electron/services/app/x.ts', "import { ApiServer } from '../api/api-server';\nexport const a = ApiServer;\n")).toEqual([]);
  });

  it('keeps the renderer\'s code out of the Electron glue', async () => {
    expect(await violations('electron/window.ts', "import { App } from '../renderer/src/App';\nexport const a = App;\n")).toHaveLength(1);
    expect(await violations('electron/window.ts', "import { createApp } from './services/app/app';\nexport const c = createApp;\n")).toEqual([]);
  });

  it('keeps Node and app code out of shared/', async () => {
    expect(await violations('shared/x.ts', "import fs from 'node:fs';\nexport const f = fs;\n")).toHaveLength(1);
    expect(await violations('shared/x.ts', "import net from 'net';\nexport const n = net;\n")).toHaveLength(1);
    expect(await violations('shared/x.ts', "import { Engine } from '../electron/services/engine/engine';\nexport const e = Engine;\n")).toHaveLength(1);
  });

  it('lets the renderer import shared/ only', async () => {
    expect(await violations('renderer/src/x.ts', "import { AppError } from '../../shared/errors';\nexport const e = AppError;\n")).toEqual([]);
    expect(await violations('renderer/src/x.ts', "import { Engine } from '../../electron/services/engine/engine';\nexport const e = Engine;\n")).toHaveLength(1);
    expect(await violations('renderer/src/x.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n")).toHaveLength(1);
  });

  it('lets the renderer take only types from shared/ modules with schemas, so zod stays out of its bundle', async () => {
    expect(await violations('renderer/src/x.ts', "import type { Settings } from '../../shared/settings';\nexport type S = Settings;\n")).toEqual([]);
    expect(await violations('renderer/src/x.ts', "import { DEFAULT_SETTINGS } from '../../shared/settings';\nexport const d = DEFAULT_SETTINGS;\n")).toEqual([
      "'../../shared/settings' import is restricted from being used by a pattern. The renderer takes only types from shared/ modules that hold schemas (their values bring zod into its bundle).",
    ]);
    expect(await violations('renderer/src/x.ts', "import { ENGINE_SETTINGS } from '../../shared/engine';\nexport const e = ENGINE_SETTINGS;\n")).toEqual([]);
  });
});
