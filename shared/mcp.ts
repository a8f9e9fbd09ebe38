import { z } from 'zod';

/** A personal access token for AI clients, as its owner (or an administrator) sees it: never the token. */
export interface McpTokenView {
  id: string;
  name: string;
  userId: string;
  username: string;
  createdAt: string;
  /** When clients using it are refused; a new token is made then. */
  expiresAt: string;
  expired: boolean;
  lastUsedAt: string | null;
}

/** What creating a token returns: the only time the token itself is shown. */
export interface NewMcpToken {
  id: string;
  name: string;
  token: string;
  createdAt: string;
  expiresAt: string;
}

export const mcpTokenNameSchema = z
  .string({ error: 'Token name must be text' })
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, 'Token name is required')
      .max(64, 'Token name must be at most 64 characters')
      // eslint-disable-next-line no-control-regex
      .refine((s) => !/[\u0000-\u001f\u007f\p{Cf}]/u.test(s), 'Token name must not contain control or invisible characters'),
  );

/** One call an AI client made, shown live in its person's History. */
export interface McpCall {
  tokenName: string;
  tool: string;
  ok: boolean;
  /** The result, as History shows it. */
  result: { kind: 'json'; value: unknown } | { kind: 'text'; value: string } | { kind: 'image'; base64: string; width: number; height: number } | { kind: 'error'; message: string };
}
