/** Why a sign-in ended without the person pressing Sign out. */
export type SignInEndReason = 'idle' | 'lifetime' | 'blender-idle' | 'locked' | 'password-changed' | 'account-disabled' | 'account-deleted';

export interface SignInEnd {
  reason: SignInEndReason;
  message: string;
}

export const SIGN_IN_END_MESSAGES: Record<SignInEndReason, string> = {
  idle: 'You were signed out because the panel was not used for a while.',
  lifetime: 'You were signed out because your sign-in reached its maximum length. Sign in again to go on.',
  'blender-idle': 'You were signed out because your Blender was stopped after being idle. Your scene was saved.',
  locked: 'You were signed out because the screen was locked or the computer went to sleep.',
  'password-changed': 'You were signed out because the password was changed. Sign in with the new password.',
  'account-disabled': 'You were signed out because your account was disabled.',
  'account-deleted': 'You were signed out because your account was deleted.',
};
