import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { bob } from './fake-bridge';
import { mountSignedIn } from './mount';

afterEach(cleanup);

describe('the Account page', () => {
  it('changes the password, offering to revoke the person\'s AI-client tokens, and stays signed in', async () => {
    const f = await mountSignedIn(bob, (f) => f.answer('account.changePassword', { tokensRevoked: 2 }));
    fireEvent.click(screen.getByRole('button', { name: 'Account' }));
    fireEvent.change(screen.getByLabelText('Current password'), { target: { value: 'bob password' } });
    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'a new password' } });
    fireEvent.click(screen.getByLabelText(/Also revoke my AI-client tokens/));
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText(/Password changed. You stay signed in here.* 2 AI-client tokens revoked\./)).toBeTruthy();
    expect(f.calls).toContainEqual(['account.changePassword', { current: 'bob password', next: 'a new password', revokeTokens: true }]);
    expect((screen.getByLabelText('Current password') as HTMLInputElement).value).toBe('');
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
  });

  it('says when the current password is wrong, and keeps the new one typed', async () => {
    await mountSignedIn(bob, (f) => f.fail('account.changePassword', { code: 'AUTH_FAILED', message: 'The current password is wrong' }));
    fireEvent.click(screen.getByRole('button', { name: 'Account' }));
    fireEvent.change(screen.getByLabelText('Current password'), { target: { value: 'not it' } });
    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'a new password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('The current password is wrong')).toBeTruthy();
    expect((screen.getByLabelText('New password') as HTMLInputElement).value).toBe('a new password');
  });
});
