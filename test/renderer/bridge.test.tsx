import { afterEach, describe, expect, it, vi } from 'vitest';

// In Electron the bridge comes from the preload; without it the panel must say so, not guess.
afterEach(() => {
  vi.unstubAllGlobals();
  delete (window as { blenderLab?: unknown }).blenderLab;
});

describe('finding the bridge', () => {
  it('finds none inside Electron when the preload did not load', async () => {
    vi.stubGlobal('navigator', { ...navigator, userAgent: 'Mozilla/5.0 Chrome/140.0 Electron/45.0.0 Safari/537.36' });
    const { findBridge } = await import('../../renderer/src/bridge');
    expect(findBridge()).toBeNull();
  });

  it('uses the preload\'s bridge when it is there', async () => {
    const preload = { api: {}, on: () => () => {} };
    (window as { blenderLab?: unknown }).blenderLab = preload;
    const { findBridge } = await import('../../renderer/src/bridge');
    expect(findBridge()).toBe(preload);
  });

  it('uses the headless WebSocket in a plain browser', async () => {
    const { findBridge } = await import('../../renderer/src/bridge');
    const bridge = findBridge();
    expect(bridge).not.toBeNull();
    expect(Object.keys(bridge!.api)).toContain('auth.signIn');
  });
});
