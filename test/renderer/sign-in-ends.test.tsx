import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { resize } from '../support/renderer-setup';
import { bob, sessionOf } from './fake-bridge';
import { mountPanel, mountSignedIn } from './mount';

afterEach(cleanup);


async function signedIn() {
  let clock = 1_000_000;
  const f = await mountSignedIn(bob, (f) => {
    f.answer('blender.screenshot', { width: 2, height: 1, format: 'png', image_base64: 'iVBORw0KGgo=' });
    f.answer('blender.run', { output: 'bobs private output' });
  }, () => clock);
  return { ...f, advance: (ms: number) => { clock += ms; } };
}

describe('when a sign-in ends without Sign out', () => {
  it('goes back to the sign-in screen with the reason, keeping nothing of the person', async () => {
    const f = await signedIn();
    fireEvent.change(screen.getByLabelText('Python code'), { target: { value: 'print("bobs code")' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    const history = screen.getByRole('region', { name: 'Command history' });
    await within(history).findByText(/bobs private output/);
    fireEvent.click(screen.getByRole('button', { name: 'Screenshot' }));
    await within(history).findByRole('img', { name: 'Viewport screenshot' });

    act(() => f.emit('signIn.ended', { reason: 'idle', message: 'You were signed out because the panel was not used for a while.' }));

    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('You were signed out because the panel was not used for a while.');
    expect(document.body.textContent).not.toMatch(/bobs|Viewport|Run: print/);
    expect(screen.queryByTitle('Blender')).toBeNull();
    expect(f.store.getState()).toMatchObject({ user: null, session: null, blenderAddress: null, history: [], sessions: [], expiresAt: null });
  });

  it('shows the next person an empty history and the default code', async () => {
    const f = await signedIn();
    fireEvent.change(screen.getByLabelText('Python code'), { target: { value: 'print("bobs code")' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    await within(screen.getByRole('region', { name: 'Command history' })).findByText(/bobs private output/);
    act(() => f.emit('signIn.ended', { reason: 'locked', message: 'You were signed out because the screen was locked or the computer went to sleep.' }));
    f.answer('auth.signIn', { user: { ...bob, id: 'c3c3c3c3c3', username: 'cy' }, session: sessionOf({ id: 'c3c3c3c3c3', username: 'cy' }) });
    fireEvent.change(await screen.findByLabelText('Username'), { target: { value: 'cy' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByTitle('Blender');
    expect((screen.getByLabelText('Python code') as HTMLTextAreaElement).value).not.toContain('bobs');
    expect(within(screen.getByRole('region', { name: 'Command history' })).queryAllByRole('listitem')).toEqual([]);
  });

  it('treats a call refused as not signed in the same way (the connection dropped and the sign-in with it)', async () => {
    const f = await signedIn();
    f.fail('blender.sceneInfo', { code: 'NOT_SIGNED_IN', message: 'You are not signed in' });
    fireEvent.click(screen.getByRole('button', { name: 'Scene info' }));
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('Your sign-in has ended. Sign in again to go on; your Blender keeps running.');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(f.store.getState().history).toEqual([]);
  });
});

describe('a result that arrives late', () => {
  it('is not shown to the next person', async () => {
    const f = await signedIn();
    let finish!: () => void;
    const original = f.bridge.api['blender.run'];
    f.bridge.api['blender.run'] = async (input) => {
      await new Promise<void>((r) => (finish = r));
      return original(input);
    };
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    act(() => f.emit('signIn.ended', { reason: 'idle', message: 'You were signed out because the panel was not used for a while.' }));
    f.answer('auth.signIn', { user: { ...bob, id: 'c3c3c3c3c3', username: 'cy' }, session: sessionOf({ id: 'c3c3c3c3c3', username: 'cy' }) });
    fireEvent.change(await screen.findByLabelText('Username'), { target: { value: 'cy' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByTitle('Blender');
    await act(async () => finish());
    await waitFor(() => expect(f.calls.some(([m]) => m === 'blender.run')).toBe(true));
    expect(within(screen.getByRole('region', { name: 'Command history' })).queryAllByRole('listitem')).toEqual([]);
    expect(document.body.textContent).not.toContain('bobs private output');
  });
});

describe('a sign-in that ends while Blender starts', () => {
  it('signs nobody in and shows no Blender when its reply comes after all', async () => {
    const f = mountPanel();
    let reply!: () => void;
    f.bridge.api['auth.signIn'] = async () => {
      await new Promise<void>((r) => (reply = r));
      return { ok: true, value: { user: bob, session: sessionOf(bob) } };
    };
    fireEvent.change(await screen.findByLabelText('Username'), { target: { value: 'bob' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'bob password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    act(() => f.emit('session.progress', { step: 'booting', message: 'Starting Blender' }));
    expect(await screen.findByText('Starting Blender')).toBeTruthy();
    act(() => f.emit('signIn.ended', { reason: 'locked', message: 'You were signed out because the screen was locked or the computer went to sleep.' }));
    await act(async () => reply());
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('You were signed out because the screen was locked or the computer went to sleep.');
    expect(screen.queryByTitle('Blender')).toBeNull();
    expect(f.store.getState()).toMatchObject({ user: null, blenderAddress: null, progress: null });
  });

  it('ends the sign-in when activity is refused as not signed in', async () => {
    let clock = 1_000_000;
    const f = await mountSignedIn(bob, (f) => f.fail('session.activity', { code: 'NOT_SIGNED_IN', message: 'You are not signed in' }), () => clock);
    clock += 31_000;
    fireEvent.keyDown(window, { key: 'a' });
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(f.calls.some(([m]) => m === 'session.activity')).toBe(true);
    expect(screen.queryByTitle('Blender')).toBeNull();
  });

  it('ends the sign-in when fitting the screen is refused as not signed in', async () => {
    const f = await mountSignedIn(bob, (f) => f.fail('session.fitScreen', { code: 'NOT_SIGNED_IN', message: 'You are not signed in' }));
    resize(screen.getByRole('region', { name: 'Your Blender' }), 1000, 700);
    expect(await screen.findByRole('button', { name: 'Sign in' }, { timeout: 2000 })).toBeTruthy();
    expect(f.calls.some(([m]) => m === 'session.fitScreen')).toBe(true);
    expect(screen.queryByTitle('Blender')).toBeNull();
  });
});

describe('text the person\'s Blender copied', () => {
  it('is told to main as a digest, and counts as another person\'s once the sign-in ends', async () => {
    const f = await signedIn();
    const digest = 'ab'.repeat(32);
    act(() => { window.dispatchEvent(new MessageEvent('message', { data: { type: 'blender-lab:copied', digest }, origin: 'http://127.0.0.1:13099' })); });
    expect(f.calls.some(([m]) => m === 'session.copiedFromBlender')).toBe(false); // not from this person's frame
    act(() => { window.dispatchEvent(new MessageEvent('message', { data: { type: 'blender-lab:copied', digest }, origin: 'http://127.0.0.1:13000' })); });
    expect(f.calls).toContainEqual(['session.copiedFromBlender', { digest }]);
    expect(f.store.getState().othersCopies()).toEqual([]);
    act(() => f.emit('signIn.ended', { reason: 'idle', message: 'You were signed out because the panel was not used for a while.' }));
    expect(f.store.getState().othersCopies()).toEqual([digest]);
  });
});

describe('the idle warning', () => {
  it('asks "Still there?" with the time left, and staying keeps the sign-in', async () => {
    const f = await signedIn();
    act(() => f.emit('signIn.expiring', { at: new Date(Date.now() + 60_000).toISOString() }));
    const dialog = screen.getByRole('alertdialog', { name: 'Still there?' });
    expect(dialog.textContent).toMatch(/signed out in (59|60) s/);
    const calls = f.calls.length;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Stay signed in' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(f.calls.slice(calls)).toContainEqual(['session.activity', {}]);
    expect(screen.getByTitle('Blender')).toBeTruthy();
  });

  it('reports input as activity at most twice a minute, and at once while the warning is up', async () => {
    const f = await signedIn();
    const reports = () => f.calls.filter(([m]) => m === 'session.activity').length;
    f.advance(31_000);
    fireEvent.keyDown(window, { key: 'a' });
    expect(reports()).toBe(1);
    fireEvent.pointerDown(window);
    expect(reports()).toBe(1);
    act(() => f.emit('signIn.expiring', { at: new Date(Date.now() + 60_000).toISOString() }));
    fireEvent.pointerDown(window);
    expect(reports()).toBe(2);
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('counts input inside the person\'s own Blender frame, and ignores messages from anywhere else', async () => {
    const f = await signedIn();
    const reports = () => f.calls.filter(([m]) => m === 'session.activity').length;
    f.advance(31_000);
    act(() => { window.dispatchEvent(new MessageEvent('message', { data: 'blender-lab:activity', origin: 'http://127.0.0.1:13099' })); });
    expect(reports()).toBe(0);
    act(() => { window.dispatchEvent(new MessageEvent('message', { data: 'blender-lab:activity', origin: 'http://127.0.0.1:13000' })); });
    expect(reports()).toBe(1);
  });
});
