import { afterEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';
import { waitFor } from '../support/wait';

// The next person at a seat: a sign-in that ends while its Blender starts gets no Blender back,
// and that Blender does not stay on, on the real engine and image.
const engine = testEngine();
let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

/** A window whose sign-in is under way: the call's reply, and everything the window heard. */
function signingIn(harness: Harness, username: string, password: string) {
  const events: [string, unknown][] = [];
  const connection = harness.api.connect((event, payload) => events.push([event, payload]));
  return { reply: connection.call('auth.signIn', { username, password }), events, connection };
}

const containerOf = async (userId: string) => (await engine.containers.list(h!.labels(userId)))[0];

describe('a sign-in that ends while its Blender starts', () => {
  it('gets no Blender address and signs nobody in; the Blender is saved and stopped as at sign-out', async () => {
    h = await new Harness(engine).init();
    const { user, password } = await h.user('ann');
    const window = signingIn(h, 'ann', password);
    await waitFor('Blender to boot', async () => {
      const c = h!.sessions.get(user.id)?.state === 'waiting' && (await containerOf(user.id));
      return c && /starting Blender with/.test(await engine.containers.logs(c.id));
    });
    h.api.endAllSignIns('locked');

    const reply = await window.reply;
    expect(reply).toEqual({ ok: false, error: { code: 'NOT_SIGNED_IN', message: 'Your sign-in ended before your Blender was ready. Sign in again.' } });
    expect(window.connection.token).toBeNull();
    const afterEnd = window.events.slice(window.events.findIndex(([e]) => e === 'signIn.ended'));
    expect(JSON.stringify(afterEnd)).not.toContain('#token=');
    expect(await window.connection.call('session.mine', {})).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });

    const container = (await containerOf(user.id))!;
    expect((await engine.containers.inspect(container.id))?.running).toBe(false);
    expect(await engine.containers.logs(container.id)).toContain('stopping: saving the scene first');
    expect(h.sessions.get(user.id)).toMatchObject({ state: 'stopped', reason: 'The sign-in ended before Blender was ready, so it was stopped', blenderAddress: null });
  });

  it('leaves the start queue at once, its held container ended, when a password reset ends it', async () => {
    h = await new Harness(engine, { maxConcurrentStarts: 1 }).init();
    const ann = await h.user('ann');
    const ben = await h.user('ben');
    const annReady = h.sessions.start(ann.user);
    await waitFor('ann to boot', () => h!.sessions.get(ann.user.id)?.state === 'waiting');
    const window = signingIn(h, 'ben', ben.password);
    await waitFor('ben to wait in the queue', () => window.events.some(([e, p]) => e === 'session.progress' && (p as { step: string }).step === 'queue'));
    await h.accounts.resetPassword(ben.user.id, 'a reset password');

    expect(await window.reply).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(h.sessions.get(ben.user.id)?.state).toBe('stopped');
    // The place in the queue is told once the container is made, held for its turn.
    const held = (await containerOf(ben.user.id))!;
    expect((await engine.containers.inspect(held.id))?.running).toBe(false);
    expect(await engine.containers.logs(held.id)).not.toMatch(/starting Blender with/);
    expect((await annReady).state).toBe('ready');
  });

  it('ends a session.start of a window whose sign-in ends meanwhile, and refuses its reply', async () => {
    h = await new Harness(engine).init();
    const { user, password } = await h.user('cy');
    const window = await h.window('cy', password);
    await window.call('session.stop');
    const restart = window.connection.call('session.start', {});
    await waitFor('Blender to boot', () => h!.sessions.get(user.id)?.state === 'waiting');
    h.accounts.signIns.endAllFor(user.id, 'idle');
    expect(await restart).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    await waitFor('the Blender to stop', async () => !(await engine.containers.inspect((await containerOf(user.id))!.id))?.running);
    expect(h.sessions.get(user.id)).toMatchObject({ state: 'stopped', reason: 'The sign-in ended before Blender was ready, so it was stopped' });
  });
});
