import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';

// The panel's calls as a signed-in person makes them: who may do what, end to end.
const engine = testEngine();
let h: Harness;
let admin: { token: string; id: string };
let bob: { token: string; id: string };

beforeAll(async () => {
  h = await new Harness(engine).init();
  await h.panel.signUp('root', 'admin password');
  await h.panel.signUp('bob', 'bob password');
  await h.credentials.set((await h.accounts.signIn('bob', 'bob password')).user.id, 'ANTHROPIC_API_KEY', "sk-bob-'quoted'-$HOME");
  const a = await h.panel.signIn('root', 'admin password');
  const b = await h.panel.signIn('BOB', 'bob password');
  expect([a.session.state, b.session.state]).toEqual(['ready', 'ready']);
  admin = { token: a.token, id: a.user.id };
  bob = { token: b.token, id: b.user.id };
});

afterAll(async () => {
  await h?.cleanup();
});

describe('Panel authorization', () => {
  it('makes the first account the admin', () => {
    expect(h.panel.whoAmI(admin.token).role).toBe('admin');
    expect(h.panel.whoAmI(bob.token).role).toBe('user');
  });

  it('passes a user\'s integration keys to their container only, exactly as set', async () => {
    const code = 'import os\nprint(repr(os.environ.get("ANTHROPIC_API_KEY")))';
    expect((await h.panel.command(bob.token, 'execute_code', { code })).result).toBe(`"sk-bob-'quoted'-$HOME"\n`);
    expect((await h.panel.command(admin.token, 'execute_code', { code })).result).toBe('None\n');
    expect(JSON.stringify(await h.panel.listMyKeys(bob.token))).not.toContain('sk-bob');
  });

  it('shows a user only their own session, and an admin all of them', async () => {
    expect(h.panel.mySession(bob.token)?.username).toBe('bob');
    expect((await h.panel.sessionsWithStats(admin.token)).map((s) => s.username)).toEqual(['bob', 'root']);
  });

  it('shows administrators each running session\'s CPU and memory use, within its limit', async () => {
    const rows = await h.panel.sessionsWithStats(admin.token);
    const bobs = rows.find((r) => r.userId === bob.id)!;
    expect(bobs.stats?.memoryLimitBytes).toBe(2048 * 1024 ** 2);
    expect(bobs.stats?.memoryBytes).toBeGreaterThan(50 * 1024 ** 2);
    expect(bobs.stats?.memoryBytes).toBeLessThan(bobs.stats!.memoryLimitBytes);
    expect(bobs.stats?.cpuPercent).toBeGreaterThanOrEqual(0);
    await expect(h.panel.sessionsWithStats(bob.token)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('gives a user the address of their own Blender UI only', () => {
    const own = h.panel.myBlenderAddress(bob.token)!;
    expect(own).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/blender-lab\.html#token=[A-Za-z0-9_-]{32}$/);
    expect(h.panel.myBlenderAddress(admin.token)).not.toBe(own);
  });

  it('refuses admin work to a plain user', async () => {
    await expect(h.panel.stopSession(bob.token, admin.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(() => h.panel.listUsers(bob.token)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => h.panel.updateSettings(bob.token, { signUpAllowed: false })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    await expect(h.panel.sessionLogs(bob.token, admin.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(h.panel.stopAllSessions(bob.token)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(h.sessions.get(admin.id)?.state).toBe('ready');
  });

  it('refuses everything to a made-up token', async () => {
    expect(() => h.panel.mySession('forged')).toThrow(expect.objectContaining({ code: 'NOT_SIGNED_IN' }));
    await expect(h.panel.command('forged', 'ping', {})).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
  });

  it('refuses a command the panel does not offer', async () => {
    await expect(h.panel.command(bob.token, 'save_session' as never, {} as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('lets an admin read logs and stop someone else\'s session, which that user then sees', async () => {
    expect(await h.panel.sessionLogs(admin.token, bob.id)).toContain('[blender-lab] starting');
    const stopped = await h.panel.stopSession(admin.token, bob.id);
    expect(stopped).toMatchObject({ state: 'stopped', reason: 'Stopped by an administrator' });
    expect(h.panel.mySession(bob.token)?.state).toBe('stopped');
    await expect(h.panel.command(bob.token, 'ping', {})).rejects.toMatchObject({ code: 'SESSION_NOT_READY' });
    expect((await h.panel.startMySession(bob.token)).state).toBe('ready');
  });

  it('stops a disabled user\'s session and ends their sign-in', async () => {
    h.panel.setUserDisabled(admin.token, bob.id, true);
    expect(() => h.panel.whoAmI(bob.token)).toThrow(expect.objectContaining({ code: 'NOT_SIGNED_IN' }));
    const stopped = await new Promise((resolve) => {
      const check = () => (h.sessions.get(bob.id)?.state === 'stopped' ? resolve(h.sessions.get(bob.id)) : setTimeout(check, 100));
      check();
    });
    expect(stopped).toMatchObject({ reason: 'Stopped because the account was disabled' });
    h.panel.setUserDisabled(admin.token, bob.id, false);
  });

  it('stops the container on sign-out and ends the token', async () => {
    await h.panel.signOut(admin.token);
    expect(h.sessions.get(admin.id)?.state).toBe('stopped');
    expect(() => h.panel.whoAmI(admin.token)).toThrow(expect.objectContaining({ code: 'NOT_SIGNED_IN' }));
  });
});
