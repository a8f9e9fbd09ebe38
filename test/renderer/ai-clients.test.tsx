import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { clientConfigs } from '../../renderer/src/screens/AiClients';
import { ada, bob, fakeBridge } from './fake-bridge';
import { mountSignedIn } from './mount';

afterEach(cleanup);

const ENDPOINT = 'http://127.0.0.1:9711/mcp';
const TOKEN = 'blab_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

function open(user: typeof ada | typeof bob, extra: (f: ReturnType<typeof fakeBridge>) => void = () => {}) {
  return mountSignedIn(user, (f) => {
    f.answer('mcp.endpoint', ENDPOINT);
    f.answer('mcpTokens.list', []);
    extra(f);
  });
}

describe('the AI clients page', () => {
  it('creates a named token, shows it once with each client\'s configuration, and lists it without the token', async () => {
    const f = await open(bob, (f) => f.answer('mcpTokens.create', { id: 'a1b2c3d4e5f6', name: 'Claude Code', token: TOKEN, createdAt: '2026-11-25T10:00:00Z', expiresAt: '2027-02-23T10:00:00Z' }));
    fireEvent.click(screen.getByRole('button', { name: 'AI clients' }));
    expect((await screen.findByLabelText('MCP endpoint')).textContent).toBe(ENDPOINT);
    fireEvent.change(screen.getByLabelText('Token name'), { target: { value: 'Claude Code' } });
    fireEvent.change(screen.getByLabelText('Your password'), { target: { value: 'bob password' } });
    f.answer('mcpTokens.list', [{ id: 'a1b2c3d4e5f6', name: 'Claude Code', userId: bob.id, username: 'bob', createdAt: '2026-11-25T10:00:00Z', expiresAt: '2027-02-23T10:00:00Z', expired: false, lastUsedAt: null }]);
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    const fresh = await screen.findByRole('region', { name: 'New token' });
    expect(within(fresh).getByLabelText('Token').textContent).toBe(TOKEN);
    expect(fresh.textContent).toContain(`claude mcp add --transport http blender-lab ${ENDPOINT} --header "Authorization: Bearer ${TOKEN}"`);
    expect(f.calls).toContainEqual(['mcpTokens.create', { name: 'Claude Code', password: 'bob password' }]);
    expect((screen.getByLabelText('Your password') as HTMLInputElement).value).toBe('');
    const row = await screen.findByRole('row', { name: /Claude Code/ });
    expect(row.textContent).toContain('never');
    expect(row.textContent).not.toContain(TOKEN);
  });

  it('revokes a token', async () => {
    const f = await open(bob, (f) => f.answer('mcpTokens.list', [{ id: 'a1b2c3d4e5f6', name: 'Cursor', userId: bob.id, username: 'bob', createdAt: '2026-11-25T10:00:00Z', expiresAt: '2027-02-23T10:00:00Z', expired: false, lastUsedAt: '2026-11-25T11:00:00Z' }]));
    fireEvent.click(screen.getByRole('button', { name: 'AI clients' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke Cursor' }));
    await waitFor(() => expect(f.calls).toContainEqual(['mcpTokens.revoke', { id: 'a1b2c3d4e5f6' }]));
    expect(await screen.findByText(/Token Cursor revoked/)).toBeTruthy();
  });

  it('says when the endpoint is not open', async () => {
    await open(bob, (f) => f.answer('mcp.endpoint', null));
    fireEvent.click(screen.getByRole('button', { name: 'AI clients' }));
    expect((await screen.findByRole('alert')).textContent).toContain('not open');
  });

  it('shows administrators everyone\'s tokens with their owner', async () => {
    await open(ada, (f) => f.answer('mcpTokens.list', [{ id: 'a1b2c3d4e5f6', name: 'Cursor', userId: bob.id, username: 'bob', createdAt: '2026-11-25T10:00:00Z', expiresAt: '2027-02-23T10:00:00Z', expired: false, lastUsedAt: null }]));
    fireEvent.click(screen.getByRole('button', { name: 'AI clients' }));
    expect((await screen.findByRole('row', { name: /Cursor/ })).textContent).toContain('bob');
    expect(screen.getByText('Everyone\'s tokens')).toBeTruthy();
  });
});

describe('configurations', () => {
  it('are valid JSON where they are JSON, with the endpoint and the bearer header', () => {
    for (const config of clientConfigs(ENDPOINT, TOKEN).slice(1)) {
      const parsed = JSON.parse(config.text);
      expect(JSON.stringify(parsed)).toContain(ENDPOINT);
      expect(JSON.stringify(parsed)).toContain(`Bearer ${TOKEN}`);
    }
  });
});

describe('an AI client\'s calls', () => {
  it('appear live in the person\'s History, marked with the token\'s name', async () => {
    const f = await open(bob);
    act(() => f.emit('mcp.call', { tokenName: 'Cursor', tool: 'execute_blender_code', ok: true, result: { kind: 'text', value: 'made a monkey\n' } }));
    act(() => f.emit('mcp.call', { tokenName: 'Cursor', tool: 'get_scene_info', ok: false, result: { kind: 'error', message: 'Your Blender is not running. Call start_blender to start it, then try again.' } }));
    const items = within(screen.getByRole('region', { name: 'Command history' })).getAllByRole('listitem');
    expect(items[0]!.textContent).toContain('Cursor: get_scene_info');
    expect(items[0]!.textContent).toContain('Call start_blender');
    expect(items[1]!.textContent).toContain('Cursor: execute_blender_code');
    expect(items[1]!.textContent).toContain('made a monkey');
  });
});
