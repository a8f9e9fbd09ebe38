import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resize } from '../support/renderer-setup';
import { bob, sessionOf } from './fake-bridge';
import { mountPanel, mountSignedIn } from './mount';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const fits = (calls: [string, unknown][]) => calls.filter(([m]) => m === 'session.fitScreen').map(([, input]) => input);

describe("Blender's screen follows its frame", () => {
  it('asks for the frame size once a resize settles, once per size, within the sizes a screen can take', async () => {
    const f = await mountSignedIn(bob, (f) => {
      f.answer('session.mine', sessionOf(bob));
      f.answer('session.fitScreen', (input) => input as { width: number; height: number });
    });
    vi.useFakeTimers();
    const frame = screen.getByRole('region', { name: 'Your Blender' });
    resize(frame, 1000, 700);
    resize(frame, 1180, 760); // still dragging
    await act(async () => vi.advanceTimersByTime(300));
    expect(fits(f.calls)).toEqual([{ width: 1180, height: 760 }]);
    resize(frame, 1180, 760); // same size again: nothing to do
    await act(async () => vi.advanceTimersByTime(300));
    resize(frame, 5000, 100); // beyond what a screen can take: the frame scales the rest
    await act(async () => vi.advanceTimersByTime(300));
    expect(fits(f.calls)).toEqual([{ width: 1180, height: 760 }, { width: 3840, height: 240 }]);
  });

  it('has a Full screen button only while Blender is shown', async () => {
    mountPanel((f) => {
      f.answer('auth.whoAmI', bob);
      f.answer('session.mine', sessionOf(bob, { state: 'stopped' }));
    });
    await screen.findByRole('button', { name: 'Start Blender' });
    expect((screen.getByRole('button', { name: 'Full screen' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
