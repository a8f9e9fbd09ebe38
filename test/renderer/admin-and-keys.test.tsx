import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminSettings } from '../../renderer/src/components/AdminSettings';
import { AdminUsers } from '../../renderer/src/components/AdminUsers';
import { PanelProvider } from '../../renderer/src/context';
import { Keys } from '../../renderer/src/screens/Keys';
import { createPanelStore } from '../../renderer/src/store';
import { DEFAULT_SETTINGS } from '../../shared/settings';
import { ada, bob, fakeBridge } from './fake-bridge';

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
