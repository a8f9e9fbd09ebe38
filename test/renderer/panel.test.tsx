import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ADDRESS, ada, bob, sessionOf } from './fake-bridge';
import { mountPanel, mountSignedIn } from './mount';

afterEach(cleanup);


describe('signing in', () => {
  it('offers labelled fields and both buttons', async () => {
    mountPanel();
    expect(await screen.findByLabelText('Username')).toBeTruthy();
    expect(screen.getByLabelText('Password')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Create account' })).toBeTruthy();
  });

  it('sends what was typed, shows each start step, then the workspace with Blender embedded', async () => {
    const f = mountPanel((f) => {
      f.answer('auth.signIn', { user: bob, session: sessionOf(bob) });
    });
    fireEvent.change(await screen.findByLabelText('Username'), { target: { value: 'bob' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'bob password' } });
    // The start is slow: hold the answer back and report steps meanwhile.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    f.answer('auth.signIn', () => ({ user: bob, session: sessionOf(bob) }));
    const original = f.bridge.api['auth.signIn'];
    f.bridge.api['auth.signIn'] = async (input) => {
      await held;
      return original(input);
    };
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    act(() => f.emit('session.progress', { step: 'booting', message: 'Starting Blender' }));
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toBe('Starting Blender');
    expect(screen.getByRole('status').textContent).toBe('Starting Blender');
    release();
    const frame = await screen.findByTitle('Blender');
    expect(frame.getAttribute('src')).toBe(ADDRESS);
    expect(f.calls).toContainEqual(['auth.signIn', { username: 'bob', password: 'bob password' }]);
  });

  it.each([
    ['AUTH_FAILED', 'Wrong username or password', 'Sign-in failed'],
    ['LOCKED_OUT', 'Too many failed sign-ins. Try again in 30 s.', 'Account locked for now'],
    ['DOCKER_UNAVAILABLE', 'Docker is not running or not reachable', 'Docker is not reachable'],
  ] as const)('shows %s as "%s" and keeps what was typed', async (code, message, title) => {
    mountPanel((f) => f.fail('auth.signIn', { code, message }));
    fireEvent.change(await screen.findByLabelText('Username'), { target: { value: 'bob' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(title);
    expect(alert.textContent).toContain(message);
    expect((screen.getByLabelText('Username') as HTMLInputElement).value).toBe('bob');
  });
});

describe('the workspace', () => {
  it('shows the user, the session state and Sign out', async () => {
    await mountSignedIn();
    expect(screen.getByText('bob')).toBeTruthy();
    expect(screen.getByLabelText('Session state').textContent).toBe('ready');
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Admin' })).toBeNull();
  });

  it('shows scene info as readable JSON, screenshots as images, and errors as errors, newest first', async () => {
    const f = await mountSignedIn(bob, (f) => {
      f.answer('blender.sceneInfo', { name: 'Scene', object_count: 1, objects: [{ name: 'Cube', type: 'MESH', location: [0, 0, 0] }], materials_count: 0 });
      f.answer('blender.screenshot', { width: 2, height: 1, format: 'png', image_base64: 'iVBORw0KGgo=' });
      f.fail('blender.run', { code: 'BLENDER_COMMAND_FAILED', message: 'NameError: name x is not defined (line 1)' });
    });
    fireEvent.click(screen.getByRole('button', { name: 'Scene info' }));
    const history = screen.getByRole('region', { name: 'Command history' });
    await waitFor(() => expect(within(history).getByText(/"name": "Cube"/)).toBeTruthy());
    fireEvent.click(screen.getByRole('button', { name: 'Screenshot' }));
    expect((await within(history).findByRole('img', { name: 'Viewport screenshot' })).getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
    fireEvent.change(screen.getByLabelText('Python code'), { target: { value: 'print(x)' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    expect((await within(history).findByRole('alert')).textContent).toBe('Blender reported an error: NameError: name x is not defined (line 1)');
    expect(within(history).getAllByRole('listitem')[0]!.textContent).toContain('Run: print(x)');
    expect(f.calls).toContainEqual(['blender.run', { code: 'print(x)' }]);
  });

  it('says so when an administrator stops the session, and offers to start again', async () => {
    const f = await mountSignedIn();
    act(() => f.emit('session.changed', sessionOf(bob, { state: 'stopped', reason: 'Stopped by an administrator', ports: null })));
    expect(screen.queryByTitle('Blender')).toBeNull();
    expect(screen.getByRole('status').textContent).toContain('Stopped by an administrator');
    expect(screen.getByRole('button', { name: 'Start Blender' })).toBeTruthy();
  });

  it('keeps Blender on screen while the engine\'s connection is made again, and says so', async () => {
    const f = await mountSignedIn();
    act(() => f.emit('session.changed', sessionOf(bob, { state: 'reconnecting', blenderAddress: ADDRESS })));
    expect(screen.getByTitle('Blender').getAttribute('src')).toBe(ADDRESS);
    expect(screen.getByText('The connection to the Docker engine was lost; it is being made again. Your Blender runs on and nothing is lost.')).toBeTruthy();
    act(() => f.emit('session.changed', sessionOf(bob)));
    expect(screen.queryByText(/The connection to the Docker engine was lost/)).toBeNull();
    expect(screen.getByTitle('Blender').getAttribute('src')).toBe(ADDRESS);
  });

  it('ignores session events about someone else', async () => {
    const f = await mountSignedIn();
    act(() => f.emit('session.changed', sessionOf(ada, { state: 'stopped' })));
    expect(screen.getByTitle('Blender')).toBeTruthy();
  });
});

describe('the admin page', () => {
  it('lists every session with Stop and Logs, and stops one', async () => {
    const f = await mountSignedIn(ada, (f) => {
      f.answer('admin.sessions', [
        { ...sessionOf(ada), stats: null },
        { ...sessionOf(bob, { ports: { addon: 10001, ui: 13001 } }), stats: { cpuPercent: 12.5, memoryBytes: 300 * 1024 ** 2, memoryLimitBytes: 2048 * 1024 ** 2 } },
      ]);
      f.answer('admin.users', [ada, bob]);
      f.answer('admin.stopSession', sessionOf(bob, { state: 'stopped' }));
    });
    fireEvent.click(screen.getByRole('button', { name: 'Admin' }));
    expect(await screen.findByRole('heading', { name: 'Sessions' })).toBeTruthy();
    const sessionsTable = (await screen.findAllByRole('table'))[0]!;
    const row = (await within(sessionsTable).findByRole('row', { name: /^bob/ })) as HTMLElement;
    expect(row.textContent).toContain('10001 / 13001');
    expect(row.textContent).toContain('12.5 %');
    expect(row.textContent).toContain('300 / 2048 MiB');
    fireEvent.click(within(row).getByRole('button', { name: "Stop bob's session" }));
    await waitFor(() => expect(f.calls).toContainEqual(['admin.stopSession', { userId: bob.id }]));
    expect(within(row).getByRole('button', { name: "Logs of bob's session" })).toBeTruthy();
  });
});
