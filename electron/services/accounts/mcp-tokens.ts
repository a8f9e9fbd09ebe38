import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { mcpTokenNameSchema, type McpTokenView, type NewMcpToken } from '../../../shared/mcp';
import { parseOrThrow } from '../../../shared/validation';
import type { DocumentStore } from '../storage/document-store';

export const mcpTokensFileSchema = z.object({
  version: z.literal(1).default(1),
  tokens: z
    .array(
      z.object({
        id: z.string().regex(/^[a-f0-9]{12}$/),
        userId: z.string(),
        name: z.string(),
        /** sha256 of the token: the token itself is never stored. */
        hash: z.string().regex(/^[a-f0-9]{64}$/),
        createdAt: z.string(),
        /** Tokens made before tokens expired get theirs from their creation and today's setting. */
        expiresAt: z.string().optional(),
        lastUsedAt: z.string().nullable(),
      }),
    )
    .default([]),
});

export type McpTokensFile = z.output<typeof mcpTokensFileSchema>;

const PREFIX = 'blab_';
const MAX_PER_PERSON = 20;
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const DAY_MS = 86_400_000;
type TokenRecord = McpTokensFile['tokens'][number];

/**
 * Personal access tokens for AI clients: shown once, stored as a hash, listed with their last
 * use and expiry, revocable. A token is 32 random bytes, so a fast hash is as good as a slow one
 * here. It lives `days()` days (the setting `mcpTokenDays`), so a token forgotten on a laptop
 * does not keep a door open for ever.
 */
export class McpTokenService {
  constructor(
    private readonly store: DocumentStore<McpTokensFile>,
    private readonly usernameOf: (userId: string) => string | null,
    private readonly days: () => number = () => 90,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  create(userId: string, nameInput: unknown): NewMcpToken {
    const name = parseOrThrow(mcpTokenNameSchema, nameInput);
    const data = this.store.read();
    const own = data.tokens.filter((t) => t.userId === userId);
    if (own.length >= MAX_PER_PERSON) throw new AppError('CONFLICT', `You have ${MAX_PER_PERSON} tokens already: revoke one first`);
    if (own.some((t) => t.name.toLowerCase() === name.toLowerCase())) throw new AppError('CONFLICT', `You already have a token named ${name}`);
    const token = PREFIX + randomBytes(32).toString('base64url');
    const now = this.clock();
    const record = {
      id: randomBytes(6).toString('hex'),
      userId,
      name,
      hash: hashOf(token),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.days() * DAY_MS).toISOString(),
      lastUsedAt: null,
    };
    data.tokens.push(record);
    this.store.write(data);
    return { id: record.id, name, token, createdAt: record.createdAt, expiresAt: record.expiresAt };
  }

  /** A person's own tokens, or everyone's (`userId` null, for administrators). */
  list(userId: string | null): McpTokenView[] {
    return this.store
      .read()
      .tokens.filter((t) => userId === null || t.userId === userId)
      .map((t) => ({
        id: t.id,
        name: t.name,
        userId: t.userId,
        username: this.usernameOf(t.userId) ?? '(deleted)',
        createdAt: t.createdAt,
        expiresAt: this.expiryOf(t),
        expired: this.expired(t),
        lastUsedAt: t.lastUsedAt,
      }));
  }

  /** Revokes a token of `ownerId`'s (any token when `ownerId` is null). */
  revoke(id: string, ownerId: string | null): void {
    const data = this.store.read();
    const token = data.tokens.find((t) => t.id === id && (ownerId === null || t.userId === ownerId));
    if (!token) throw new AppError('NOT_FOUND', 'No such token');
    data.tokens = data.tokens.filter((t) => t !== token);
    this.store.write(data);
  }

  /** Revokes every token of the person; returns how many there were. */
  revokeAllOf(userId: string): number {
    const data = this.store.read();
    const before = data.tokens.length;
    data.tokens = data.tokens.filter((t) => t.userId !== userId);
    if (data.tokens.length !== before) this.store.write(data);
    return before - data.tokens.length;
  }

  /** The owner and name of a presented token, recording its use; null for anything else. */
  use(presented: string): { userId: string; tokenId: string; name: string } | null {
    if (!presented.startsWith(PREFIX) || presented.length > 200) return null;
    const hash = hashOf(presented);
    const data = this.store.read();
    const token = data.tokens.find((t) => t.hash === hash);
    if (!token || this.expired(token)) return null;
    // Last use to the minute: no file write on every call.
    const now = this.clock();
    if (!token.lastUsedAt || now.getTime() - Date.parse(token.lastUsedAt) >= 60_000) {
      token.lastUsedAt = now.toISOString();
      this.store.write(data);
    }
    return { userId: token.userId, tokenId: token.id, name: token.name };
  }

  private expiryOf(t: TokenRecord): string {
    return t.expiresAt ?? new Date(Date.parse(t.createdAt) + this.days() * DAY_MS).toISOString();
  }

  private expired(t: TokenRecord): boolean {
    return this.clock().getTime() >= Date.parse(this.expiryOf(t));
  }
}
