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
    expect(await violations('electron/services/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
  });

  it('keeps Node and app code out of shared/', async () => {
    expect(await violations('shared/x.ts', "import fs from 'node:fs';\nexport const f = fs;\n")).toHaveLength(1);
    expect(await violations('shared/x.ts', "import net from 'net';\nexport const n = net;\n")).toHaveLength(1);
    expect(await violations('shared/x.ts', "import { Engine } from '../electron/services/engine';\nexport const e = Engine;\n")).toHaveLength(1);
  });

  it('lets the renderer import shared/ only', async () => {
    expect(await violations('renderer/src/x.ts', "import { AppError } from '../../shared/errors';\nexport const e = AppError;\n")).toEqual([]);
    expect(await violations('renderer/src/x.ts', "import { Engine } from '../../electron/services/engine';\nexport const e = Engine;\n")).toHaveLength(1);
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
