import { z } from 'zod';
import { roleSchema } from '../../../shared/accounts';

/** The accounts document: users with their scrypt hashes and lock-out counters. */

const passwordHashSchema = z.object({
  algorithm: z.literal('scrypt'),
  N: z.number().int().positive(),
  r: z.number().int().positive(),
  p: z.number().int().positive(),
  salt: z.string().min(1),
  hash: z.string().min(1),
});

const userRecordSchema = z.object({
  id: z.string().regex(/^[a-f0-9]{10}$/),
  username: z.string().min(1),
  role: roleSchema,
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
  disabled: z.boolean(),
  password: passwordHashSchema,
  failedSignIns: z.number().int().nonnegative().default(0),
  lockouts: z.number().int().nonnegative().default(0),
  lockedUntil: z.string().nullable().default(null),
});

export const accountsFileSchema = z.object({
  version: z.literal(1).default(1),
  users: z.array(userRecordSchema).default([]),
});

export type AccountsFile = z.output<typeof accountsFileSchema>;
export type UserRecord = AccountsFile['users'][number];
