import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ada, bob, sessionOf } from './fake-bridge';
import { mountSignedIn } from './mount';

afterEach(cleanup);

const VERSIONS = {
  opened: null,
  versions: [
    { name: '20261125T140000.000Z.blend', at: '2026-11-25T14:00:00.000Z', bytes: 2_400_000 },
    { name: '20261125T120000.000Z.blend', at: '2026-11-25T12:00:00.000Z', bytes: 900_000 },
  ],
  autosave: { at: '2026-11-25T14:05:00.000Z', bytes: 2_500_000 },
};

describe('what a start opened', () => {
  it('tells the person their work was recovered, and from when, until they dismiss it', async () => {
    const message = 'Blender ended without saving last time. Recovered your work from the autosave of 14:05:00 UTC on 25 Nov.';
    await mountSignedIn(bob, (f) => f.answer('session.mine', sessionOf(bob, { scene: { kind: 'recovered', at: '2026-11-25T14:05:00.000Z', message } })));
    const notice = screen.getByText(message).closest('[role="status"]')!;
    expect(notice).toBeTruthy();
    fireEvent.click(within(notice as HTMLElement).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText(message)).toBeNull();
  });

  it('says nothing after an ordinary start', async () => {
    await mountSignedIn(bob, (f) => f.answer('session.mine', sessionOf(bob)));
    expect(screen.queryByText(/Recovered|could not be opened/)).toBeNull();
  });
});

describe('saved versions', () => {
  it('lists the autosave and each version with its size, and opens an earlier one with progress', async () => {
    const f = await mountSignedIn(bob, (f) => {
      f.answer('session.mine', sessionOf(bob));
      f.answer('session.versions', VERSIONS);
      f.answer('session.openVersion', sessionOf(bob, { scene: { kind: 'chosen', at: '2026-11-25T12:00:00.000Z', message: 'Opened your saved version from 12:00:00 UTC on 25 Nov.' } }));
    });
    fireEvent.click(screen.getByRole('button', { name: 'Saved versions' }));
    const list = await screen.findByRole('region', { name: 'Saved versions' });
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(3));
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^Autosave, .* · 2\.4 MB$/),
      expect.stringMatching(/^Last save, .* · 2\.3 MB Open$/),
      expect.stringMatching(/^Saved, .* · 879 KB Open$/),
    ]);
    const open = within(list).getAllByRole('button', { name: /^Open the version saved / })[1]!;
    fireEvent.click(open);
    await waitFor(() => expect(f.calls).toContainEqual(['session.openVersion', { name: '20261125T120000.000Z.blend' }]));
    expect(await screen.findByText('Opened your saved version from 12:00:00 UTC on 25 Nov.')).toBeTruthy();
  });

  it('says why when they cannot be listed', async () => {
    await mountSignedIn(bob, (f) => {
      f.answer('session.mine', sessionOf(bob));
      f.fail('session.versions', { code: 'SESSION_NOT_READY', message: 'Saved versions are listed from a running Blender: start it first.' });
    });
    fireEvent.click(screen.getByRole('button', { name: 'Saved versions' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Saved versions are listed from a running Blender: start it first.');
  });

  it('an administrator sees a person\'s versions from the sessions table', async () => {
    const f = await mountSignedIn(ada, (f) => {
      f.answer('admin.sessions', [{ ...sessionOf(bob), stats: null }]);
      f.answer('admin.users', [ada, bob]);
      f.answer('admin.versions', VERSIONS);
    });
    fireEvent.click(screen.getByRole('button', { name: 'Admin' }));
    fireEvent.click(await screen.findByRole('button', { name: "Saved versions of bob's work" }));
    const section = await screen.findByRole('region', { name: 'Saved versions of bob' });
    await waitFor(() => expect(within(section).getAllByRole('listitem')).toHaveLength(3));
    expect(f.calls).toContainEqual(['admin.versions', { userId: bob.id }]);
  });
});
