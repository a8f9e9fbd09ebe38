/** Stable error codes that cross every boundary (IPC, WebSocket, logs) as plain data. */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'FORBIDDEN',
  'AUTH_FAILED',
  'LOCKED_OUT',
  'DOCKER_UNAVAILABLE',
  'DOCKER_TIMEOUT',
  'IMAGE_MISSING',
  'IMAGE_BUILD_FAILED',
  'PORT_TAKEN',
  'PORT_EXHAUSTED',
  'OUT_OF_MEMORY',
  'NOT_FOUND',
  'CONFLICT',
  'START_TIMEOUT',
  'START_CANCELLED',
  'HOST_KEY_UNTRUSTED',
  'BLENDER_UNREACHABLE',
  'BLENDER_AUTH_REJECTED',
  'BLENDER_TIMEOUT',
  'BLENDER_CONNECTION_LOST',
  'BLENDER_RESPONSE_TOO_LARGE',
  'BLENDER_PROTOCOL',
  'BLENDER_COMMAND_FAILED',
  'STORE_CORRUPT',
  'KEYCHAIN_UNAVAILABLE',
  'KEYCHAIN_LOCKED',
  'SIGN_UP_CLOSED',
  'USERNAME_TAKEN',
  'NOT_SIGNED_IN',
  'SESSION_NOT_READY',
  'ASSET_SOURCE_UNREACHABLE',
  'ASSET_SOURCE_TIMEOUT',
  'ASSET_REFUSED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorData {
  code: ErrorCode;
  message: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toData(): ErrorData {
    return { code: this.code, message: this.message };
  }
}

export function isAppError(value: unknown, code?: ErrorCode): value is AppError {
  return value instanceof AppError && (code === undefined || value.code === code);
}
