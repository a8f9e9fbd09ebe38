import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminSettings } from '../../renderer/src/components/AdminSettings';
import { AdminUsers } from '../../renderer/src/components/AdminUsers';
import { PanelProvider } from '../../renderer/src/context';
import { Keys } from '../../renderer/src/screens/Keys';
import { createPanelStore } from '../../renderer/src/store';
import { DEFAULT_SETTINGS } from '../../shared/settings';
import type { EngineStatus } from '../../shared/engine';
import { ada, bob, fakeBridge, sessionOf } from './fake-bridge';

afterEach(cleanup);

function mount(ui: React.ReactNode, setup: (f: ReturnType<typeof fakeBridge>) => void) {
  const f = fakeBridge();
  setup(f);
  const store = createPanelStore(f.bridge);
  store.setState({ user: ada });
  render(<PanelProvider store={store} bridge={f.bridge}>{ui}</PanelProvider>);
  return f;
}

describe('users', () => {
  it('creates a user and shows the outcome; refuses to let admins disable themselves', async () => {
    const f = mount(<AdminUsers />, (f) => {
      f.answer('admin.users', [ada, bob]);
      f.answer('admin.createUser', { ...bob, id: 'c3c3c3c3c3', username: 'carol' });
    });
    const adaRow = await screen.findByRole('row', { name: /^ada/ });
    expect((within(adaRow).getByRole('button', { name: 'Disable ada' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('New username'), { target: { value: ' carol ' } });
    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'carol password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create user' }));
    expect((await screen.findByRole('status')).textContent).toBe('Created carol');
    expect(f.calls).toContainEqual(['admin.createUser', { username: ' carol ', password: 'carol password', role: 'user' }]);
  });

  it('shows why a change was refused', async () => {
    mount(<AdminUsers />, (f) => {
      f.answer('admin.users', [ada, bob]);
      f.fail('admin.setRole', { code: 'CONFLICT', message: 'Cannot demote ada: they are the only administrator' });
    });
    fireEvent.change(await screen.findByLabelText('Role of ada'), { target: { value: 'user' } });
    expect((await screen.findByRole('alert')).textContent).toBe('Cannot demote ada: they are the only administrator');
  });
});

describe('settings', () => {
  it('sends only what changed, as numbers, and shows a refusal with its field', async () => {
    const f = mount(<AdminSettings />, (f) => {
      f.answer('admin.settings', DEFAULT_SETTINGS);
      f.fail('admin.updateSettings', { code: 'INVALID_INPUT', message: 'idleTimeoutMinutes: must be at least 1' });
    });
    fireEvent.change(await screen.findByLabelText('Idle timeout (minutes)'), { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect((await screen.findByRole('alert')).textContent).toBe('idleTimeoutMinutes: must be at least 1');
    expect(f.calls).toContainEqual(['admin.updateSettings', { idleTimeoutMinutes: 0 }]);
  });
});

describe('the Docker engine', () => {
  const here: EngineStatus = { endpoint: '', kind: 'local', reachable: true, problem: null, untrustedHostKey: null, lastMove: null };
  const FINGERPRINT = 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8';

  it('asks before moving to another engine, naming whose Blender stops, then shows what the move did', async () => {
    const f = fakeBridge();
    let checks = 0;
    f.answer('admin.settings', DEFAULT_SETTINGS);
    f.answer('admin.engine', () =>
      ++checks === 1
        ? here
        : { ...here, endpoint: 'ssh://ops@gpu-server', kind: 'ssh', lastMove: { at: '2026-11-25T21:50:00Z', from: '', to: 'ssh://ops@gpu-server', stopped: 1, notSaved: [{ username: 'bob', message: 'Not saved: Blender was not reachable' }] } },
    );
    f.answer('admin.updateSettings', { ...DEFAULT_SETTINGS, dockerEndpoint: 'ssh://ops@gpu-server' });
    const store = createPanelStore(f.bridge);
    store.setState({ user: ada, sessions: [{ ...sessionOf(ada), state: 'ready', stats: null }, { ...sessionOf(bob), state: 'stopped', stats: null }] });
    render(<PanelProvider store={store} bridge={f.bridge}><AdminSettings /></PanelProvider>);

    expect((await screen.findByLabelText('Docker engine')).textContent).toMatch(/^Docker engine: this machine — reachable/);
    fireEvent.change(screen.getByLabelText(/^Docker endpoint/), { target: { value: 'ssh://ops@gpu-server' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    const asking = await screen.findByRole('alertdialog', { name: 'Move to another engine' });
    expect(asking.textContent).toContain('Moving to another engine saves and stops the Blenders running now (ada).');
    expect(f.calls.some(([method]) => method === 'admin.updateSettings')).toBe(false);

    fireEvent.click(within(asking).getByRole('button', { name: 'Save and move' }));
    await waitFor(() => expect(screen.getByLabelText('Docker engine').textContent).toContain('Moved from this machine to ssh://ops@gpu-server'));
    expect(f.calls).toContainEqual(['admin.updateSettings', { dockerEndpoint: 'ssh://ops@gpu-server' }]);
    expect(screen.getByLabelText('Docker engine').textContent).toContain('1 Blender saved and stopped. Not saved: bob (Not saved: Blender was not reachable).');
  });

  it('changes nothing when the move is cancelled', async () => {
    const f = mount(<AdminSettings />, (f) => {
      f.answer('admin.settings', DEFAULT_SETTINGS);
      f.answer('admin.engine', here);
    });
    fireEvent.change(await screen.findByLabelText(/^SSH: key file/), { target: { value: '/home/ada/.ssh/lab' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(f.calls.some(([method]) => method === 'admin.updateSettings')).toBe(false);
  });

  it('shows an untrusted SSH host key with its fingerprint, and trusts exactly that key when asked', async () => {
    const f = mount(<AdminSettings />, (f) => {
      f.answer('admin.settings', { ...DEFAULT_SETTINGS, dockerEndpoint: 'ssh://ops@gpu-server' });
      f.answer('admin.engine', { ...here, endpoint: 'ssh://ops@gpu-server', kind: 'ssh', reachable: false, problem: 'The host key of ops@gpu-server:22 is not known', untrustedHostKey: { type: 'ssh-ed25519', fingerprint: FINGERPRINT } });
      f.answer('admin.acceptHostKey', { ...here, endpoint: 'ssh://ops@gpu-server', kind: 'ssh' });
    });
    const engine = await screen.findByLabelText('Docker engine');
    await waitFor(() => expect(engine.textContent).toContain(`ssh-ed25519 ${FINGERPRINT}`));
    expect(engine.textContent).toContain('not reachable');
    fireEvent.click(within(engine).getByRole('button', { name: 'Trust this host key' }));
    expect((await screen.findByRole('status')).textContent).toBe(`Trusted the host key ${FINGERPRINT}`);
    expect(f.calls).toContainEqual(['admin.acceptHostKey', { fingerprint: FINGERPRINT }]);
    expect(engine.textContent).toContain('(over SSH) — reachable');
    expect(within(engine).queryByRole('button', { name: 'Trust this host key' })).toBeNull();
  });
});

describe('integration keys', () => {
  it('shows set / not set, never a value, and clears the value field after saving', async () => {
    const f = mount(<Keys />, (f) => {
      f.answer('keys.list', [
        { name: 'SKETCHFAB_API_KEY', label: 'Sketchfab', set: false },
        { name: 'ANTHROPIC_API_KEY', label: 'Anthropic', set: true },
      ]);
      f.answer('keys.set', null);
      f.answer('auth.whoAmI', ada);
    });
    const row = await screen.findByRole('row', { name: /Anthropic/ });
    expect(row.textContent).toContain('set');
    expect((within(await screen.findByRole('row', { name: /Sketchfab/ })).getByRole('button', { name: 'Clear SKETCHFAB_API_KEY' }) as HTMLButtonElement).disabled).toBe(true);
    const value = screen.getByLabelText('Key value') as HTMLInputElement;
    expect(value.type).toBe('password');
    fireEvent.change(value, { target: { value: 'sk-secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save key' }));
    await waitFor(() => expect(value.value).toBe(''));
    expect(f.calls).toContainEqual(['keys.set', { name: 'ANTHROPIC_API_KEY', value: 'sk-secret' }]);
    expect(document.body.textContent).not.toContain('sk-secret');
  });
});
