import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from './services/api/csp';

/** The renderer gets no Node, an isolated world, and the OS sandbox. */
export function secureWebPreferences(preloadPath: string): BrowserWindowConstructorOptions['webPreferences'] {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/**
 * What the page may ask for: full screen for the panel itself (the Full screen button), and the
 * clipboard only for a Blender frame, so text passes between Blender and the workstation. Nothing
 * else (camera, microphone, notifications, location).
 */
export function permissionAllowed(isAppUrl: (url: string) => boolean, isBlenderUi: (url: string) => boolean) {
  return (permission: string, url: string): boolean =>
    (permission === 'fullscreen' && isAppUrl(url)) || ((permission === 'clipboard-read' || permission === 'clipboard-sanitized-write') && isBlenderUi(url));
}

export function applyContentSecurityPolicy(session: Session, isAppUrl: (url: string) => boolean, isBlenderUi: (url: string) => boolean = () => false): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppUrl(details.url)) return callback({ responseHeaders: details.responseHeaders ?? {} });
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  const allowed = permissionAllowed(isAppUrl, isBlenderUi);
  session.setPermissionRequestHandler((_wc, permission, callback, details) => callback(allowed(permission, details.requestingUrl)));
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin) => allowed(permission, requestingOrigin));
}

/**
 * No navigation away from the app and no new windows; an embedded frame may show only a
 * Blender UI (`isBlenderUi`), which itself admits only the holder of that session's secret.
 */
export function guardNavigation(
  contents: WebContents,
  isAppUrl: (url: string) => boolean,
  isBlenderUi: (url: string) => boolean,
  development = false,
): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  // A server redirect is a navigation too, in the main frame or in a frame.
  contents.on('will-redirect', (event) => {
    if (event.isMainFrame ? !isAppUrl(event.url) : !isBlenderUi(event.url)) event.preventDefault();
  });
  // DevTools, from a keyboard shortcut or anywhere else, only while developing.
  contents.on('devtools-opened', () => {
    if (!development) contents.closeDevTools();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame && !isBlenderUi(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
