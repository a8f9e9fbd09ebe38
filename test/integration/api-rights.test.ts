import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';
import { waitFor } from '../support/wait';

// The API as windows reach it, each with a person signed in: who may do what, end to end, with
// rights decided only by the role each method declares in shared/methods.ts.
const engine = testEngine();
let h: Harness;
let admin: Awaited<ReturnType<Harness['window']>>;
let bob: Awaited<ReturnType<Harness['window']>>;
let adminId: string;
let bobId: string;

beforeAll(async () => {
  h = await new Harness(engine).init();
  await h.accounts.createAccount({ username: 'root', password: 'admin password' });
  const b = await h.accounts.createAccount({ username: 'bob', password: 'bob password' });
  await h.credentials.set(b.id, 'ANTHROPIC_API_KEY', "sk-bob-'quoted'-$HOME");
  admin = await h.window('root', 'admin password');
  bob = await h.window('BOB', 'bob password');
  adminId = (await admin.call('auth.whoAmI')).id;
  bobId = (await bob.call('auth.whoAmI')).id;
  expect([(await admin.call('session.mine')).state, (await bob.call('session.mine')).state]).toEqual(['ready', 'ready']);
});

afterAll(async () => {
  await h?.cleanup();
});

const refused = async (call: Promise<unknown>, code: string) => expect(call).rejects.toMatchObject({ code });

describe('rights decided by the contract', () => {
  it('makes the first account the admin', async () => {
    expect((await admin.call('auth.whoAmI')).role).toBe('admin');
    expect((await bob.call('auth.whoAmI')).role).toBe('user');
  });

  it('passes a user\'s integration keys to their container only, exactly as set', async () => {
    const code = 'import os\nprint(repr(os.environ.get("ANTHROPIC_API_KEY")))';
    expect((await bob.call('blender.run', { code })).output).toBe(`"sk-bob-'quoted'-$HOME"\n`);
    expect((await admin.call('blender.run', { code })).output).toBe('None\n');
    expect(JSON.stringify(await bob.call('keys.list'))).not.toContain('sk-bob');
  });

  it('shows a user only their own session, with their own Blender\'s address; an admin all sessions, without addresses', async () => {
    const mine = await bob.call('session.mine');
    expect(mine.username).toBe('bob');
    expect(mine.blenderAddress).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/blender-lab\.html#token=[A-Za-z0-9_-]{43}$/);
    expect((await admin.call('session.mine')).blenderAddress).not.toBe(mine.blenderAddress);
    const rows = await admin.call('admin.sessions');
    expect(rows.map((s: { username: string }) => s.username)).toEqual(['bob', 'root']);
    expect(rows.every((s: { blenderAddress: unknown }) => s.blenderAddress === null)).toBe(true);
  });

  it('shows administrators each running session\'s CPU and memory use, within its limit', async () => {
    const rows = await admin.call('admin.sessions');
    const bobs = rows.find((r: { userId: string }) => r.userId === bobId)!;
    expect(bobs.stats?.memoryLimitBytes).toBe(2048 * 1024 ** 2);
    expect(bobs.stats?.memoryBytes).toBeGreaterThan(50 * 1024 ** 2);
    expect(bobs.stats?.memoryBytes).toBeLessThan(bobs.stats!.memoryLimitBytes);
    expect(bobs.stats?.cpuPercent).toBeGreaterThanOrEqual(0);
  });

  it('refuses every administrator method to a plain user, before it does anything', async () => {
    await refused(bob.call('admin.sessions'), 'FORBIDDEN');
    await refused(bob.call('admin.stopSession', { userId: adminId }), 'FORBIDDEN');
    await refused(bob.call('admin.stopSession', { userId: bobId }), 'FORBIDDEN');
    await refused(bob.call('admin.users'), 'FORBIDDEN');
    await refused(bob.call('admin.updateSettings', { signUpAllowed: false }), 'FORBIDDEN');
    await refused(bob.call('admin.logs', { userId: adminId }), 'FORBIDDEN');
    await refused(bob.call('admin.stopAll'), 'FORBIDDEN');
    expect(h.sessions.get(adminId)?.state).toBe('ready');
    expect(h.sessions.get(bobId)?.state).toBe('ready');
    expect(h.settings.get().signUpAllowed).toBe(true);
  });

  it('refuses everything but the sign-in methods to a window nobody signed in to', async () => {
    const nobody = h.api.connect(() => {});
    expect(await nobody.call('session.mine', {})).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(await nobody.call('blender.run', { code: 'print(1)' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(await nobody.call('auth.whoAmI', {})).toEqual({ ok: true, value: null });
  });

  it('lets an admin read logs and stop someone else\'s session, which that user then sees', async () => {
    expect(await admin.call('admin.logs', { userId: bobId })).toContain('[blender-lab] starting');
    expect(await admin.call('admin.stopSession', { userId: bobId })).toMatchObject({ state: 'stopped', reason: 'Stopped by an administrator' });
    expect((await bob.call('session.mine')).state).toBe('stopped');
    expect(bob.events).toContainEqual(['session.changed', expect.objectContaining({ userId: bobId, state: 'stopped', blenderAddress: null })]);
    await refused(bob.call('blender.sceneInfo'), 'SESSION_NOT_READY');
    const started = await bob.call('session.start');
    expect(started.state).toBe('ready');
    expect(started.blenderAddress).toMatch(/#token=/);
  });

  it('lets a person stop their own Blender without signing out', async () => {
    expect(await bob.call('session.stop')).toMatchObject({ state: 'stopped', reason: 'Signed out', blenderAddress: null });
    expect((await bob.call('auth.whoAmI')).username).toBe('bob');
    expect((await bob.call('session.start')).state).toBe('ready');
  });

  it('stops a disabled user\'s session and ends their sign-in', async () => {
    await admin.call('admin.setDisabled', { userId: bobId, disabled: true });
    expect(await bob.call('auth.whoAmI')).toBeNull();
    const stopped = await waitFor('bob\'s Blender to stop', () => {
      const s = h.sessions.get(bobId);
      return s?.state === 'stopped' ? s : undefined;
    });
    expect(stopped).toMatchObject({ reason: 'Stopped because the account was disabled' });
    await admin.call('admin.setDisabled', { userId: bobId, disabled: false });
  });

  it('stops the container on sign-out and ends the sign-in', async () => {
    await admin.call('auth.signOut');
    expect(h.sessions.get(adminId)?.state).toBe('stopped');
    expect(await admin.call('auth.whoAmI')).toBeNull();
  });
});

describe('deleting an account', () => {
  it('takes the person\'s integration keys out of the keychain, even when their files stay', async () => {
    const cy = await h.accounts.createAccount({ username: 'cy', password: 'cy password' });
    await h.credentials.set(cy.id, 'SKETCHFAB_API_KEY', 'sf-cy-secret');
    expect(await h.credentials.environmentFor(cy.id)).toEqual({ SKETCHFAB_API_KEY: 'sf-cy-secret' });
    const root = await h.window('root', 'admin password');
    await root.call('admin.deleteUser', { userId: cy.id, deleteData: false });
    expect(await h.credentials.environmentFor(cy.id)).toEqual({});
  });
});

