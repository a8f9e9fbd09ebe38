import { z } from 'zod';

export type Role = 'admin' | 'user';

/** An account as anyone outside the accounts service sees it: never a hash. */
export interface User {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
  lastLoginAt: string | null;
  disabled: boolean;
}

export const USERNAME_MAX = 32;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** Invisible format characters (zero-width, bidi controls…): two names could look the same. */
const FORMAT_CHARS = /\p{Cf}/u;

/** Trimmed, NFC, 1–32 characters, no control or invisible characters; each failure has its own message. */
export const usernameSchema = z
  .string({ error: 'Username must be text' })
  .superRefine((raw, ctx) => {
    const name = raw.trim().normalize('NFC');
    if (raw.length > 0 && name.length === 0) ctx.addIssue({ code: 'custom', message: 'Username cannot be only spaces' });
    else if (name.length === 0) ctx.addIssue({ code: 'custom', message: 'Username is required' });
    else if ([...name].length > USERNAME_MAX) ctx.addIssue({ code: 'custom', message: `Username must be at most ${USERNAME_MAX} characters` });
    else if (CONTROL_CHARS.test(name)) ctx.addIssue({ code: 'custom', message: 'Username must not contain control characters' });
    else if (FORMAT_CHARS.test(name)) {
      ctx.addIssue({ code: 'custom', message: 'Username must not contain invisible characters (zero-width or text-direction marks)' });
    }
  })
  .transform((raw) => raw.trim().normalize('NFC'));

export const passwordSchema = z
  .string({ error: 'Password must be text' })
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters`);

export const roleSchema = z.enum(['admin', 'user'], { error: "Role must be 'admin' or 'user'" });
