import path from 'node:path';
import { BrowserWindow } from 'electron';
import { APP_ENTRY, isAppOrigin } from './app-protocol';
import { applyContentSecurityPolicy, guardNavigation, secureWebPreferences } from './security';

const devUrl = process.env.ELECTRON_RENDERER_URL || undefined;
export const isDevelopment = Boolean(devUrl);

/** The panel's own pages: exactly the app:// origin (the dev server's while developing). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return devUrl ? u.origin === new URL(devUrl).origin : isAppOrigin(u);
  } catch {
    return false;
  }
}

/** A Blender UI: plain HTTP on loopback, on a port of the configured UI range. */
export function blenderUiMatcher(uiRange: () => { uiPortBase: number; portRangeSize: number }) {
  return (url: string): boolean => {
    try {
      const u = new URL(url);
      const port = Number(u.port);
      const { uiPortBase, portRangeSize } = uiRange();
      return u.protocol === 'http:' && u.hostname === '127.0.0.1' && port >= uiPortBase && port < uiPortBase + portRangeSize;
    } catch {
      return false;
    }
  };
}

export function createMainWindow(appDir: string, isBlenderUi: (url: string) => boolean = () => false): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    backgroundColor: '#1d1d1d',
    title: 'Blender Lab',
    webPreferences: secureWebPreferences(path.join(appDir, '../preload/preload.cjs')),
  });
  applyContentSecurityPolicy(win.webContents.session, isAppUrl, isBlenderUi);
  guardNavigation(win.webContents, isAppUrl, isBlenderUi, isDevelopment);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(devUrl ?? APP_ENTRY);
  return win;
}
