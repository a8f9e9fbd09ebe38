import type { ErrorCode, ErrorData } from '../../shared/errors';

const TITLES: Partial<Record<ErrorCode, string>> = {
  AUTH_FAILED: 'Sign-in failed',
  LOCKED_OUT: 'Account locked for now',
  INVALID_INPUT: 'Please check what you entered',
  USERNAME_TAKEN: 'That username is taken',
  SIGN_UP_CLOSED: 'Sign-up is turned off',
  NOT_SIGNED_IN: 'Please sign in again',
  FORBIDDEN: 'Not allowed',
  DOCKER_UNAVAILABLE: 'Docker is not reachable',
  HOST_KEY_UNTRUSTED: "The engine's host key is not trusted",
  IMAGE_MISSING: 'The Blender image is missing',
  IMAGE_BUILD_FAILED: 'Building the Blender image failed',
  PORT_TAKEN: 'A port is in use',
  PORT_EXHAUSTED: 'No free ports',
  OUT_OF_MEMORY: 'Out of memory',
  START_TIMEOUT: 'Blender did not start',
  SESSION_NOT_READY: 'Blender is not running',
  BLENDER_COMMAND_FAILED: 'Blender reported an error',
  BLENDER_TIMEOUT: 'Blender did not answer in time',
  KEYCHAIN_UNAVAILABLE: 'The keychain is not available',
  KEYCHAIN_LOCKED: 'The keychain is locked',
};

/** A short title a person can scan, and the specific message from main. */
export function describeError(error: ErrorData): { title: string; detail: string } {
  return { title: TITLES[error.code] ?? 'Something went wrong', detail: error.message };
}
