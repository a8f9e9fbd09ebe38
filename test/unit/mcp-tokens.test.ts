import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../electron/services/storage/document-store';
import { McpTokenService, type McpTokensFile } from '../../electron/services/accounts/mcp-tokens';

// A token forgotten on a laptop stops working by itself.
describe('AI-client tokens', () => {
  const DAY = 86_400_000;

  function service(days: number, records: McpTokensFile['tokens'] = []) {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const tokens = new McpTokenService(new MemoryStore<McpTokensFile>({ version: 1, tokens: records }), () => 'ada', () => days, () => new Date(now));
    return { tokens, advance: (ms: number) => { now += ms; } };
  }

  it('work until their expiry, which the list shows, and are refused from then on', () => {
    const { tokens, advance } = service(30);
    const made = tokens.create('a1a1a1a1a1', 'Cursor');
    expect(made.expiresAt).toBe('2026-12-31T10:00:00.000Z');
    advance(30 * DAY - 1000);
    expect(tokens.use(made.token)).toMatchObject({ name: 'Cursor' });
    advance(1000);
    expect(tokens.use(made.token)).toBeNull();
    expect(tokens.list('a1a1a1a1a1')).toEqual([expect.objectContaining({ name: 'Cursor', expiresAt: made.expiresAt, expired: true })]);
  });

  it('made before tokens expired, live from their creation by today\'s setting', () => {
    const { tokens } = service(90, [{ id: 'a1b2c3d4e5f6', userId: 'a1a1a1a1a1', name: 'Old', hash: 'f'.repeat(64), createdAt: '2026-06-01T00:00:00.000Z', lastUsedAt: null }]);
    expect(tokens.list(null)).toEqual([expect.objectContaining({ name: 'Old', expiresAt: '2026-08-30T00:00:00.000Z', expired: true })]);
  });
});
