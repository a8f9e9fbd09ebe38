import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { McpTokenView, NewMcpToken } from '../../../shared/mcp';
import { Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { readableTime } from '../components/Versions';
import { useBridge, usePanel } from '../context';

/** Ready-to-paste configuration for the common AI clients, for one endpoint and token. */
export function clientConfigs(url: string, token: string): { client: string; text: string }[] {
  const server = { type: 'http', url, headers: { Authorization: `Bearer ${token}` } };
  return [
    { client: 'Claude Code', text: `claude mcp add --transport http blender-lab ${url} --header "Authorization: Bearer ${token}"` },
    { client: 'Cursor (~/.cursor/mcp.json)', text: JSON.stringify({ mcpServers: { 'blender-lab': server } }, null, 2) },
    { client: 'VS Code (.vscode/mcp.json)', text: JSON.stringify({ servers: { 'blender-lab': server } }, null, 2) },
    {
      client: 'Claude Desktop (claude_desktop_config.json, through the mcp-remote stdio bridge)',
      text: JSON.stringify(
        { mcpServers: { 'blender-lab': { command: 'npx', args: ['-y', 'mcp-remote', url, '--header', 'Authorization:${AUTH}'], env: { AUTH: `Bearer ${token}` } } } },
        null,
        2,
      ),
    },
  ];
}

/** AI clients: personal access tokens for the MCP endpoint, and how to configure a client with one. */
export function AiClients() {
  const bridge = useBridge();
  const isAdmin = usePanel((s) => s.user?.role === 'admin');
  const [tokens, setTokens] = useState<McpTokenView[]>([]);
  const [url, setUrl] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [created, setCreated] = useState<NewMcpToken | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const load = useCallback(async () => {
    const [list, endpoint] = await Promise.all([bridge.api['mcpTokens.list']({}), bridge.api['mcp.endpoint']({})]);
    if (list.ok) setTokens(list.value);
    else setMessage({ ok: false, text: list.error.message });
    if (endpoint.ok) setUrl(endpoint.value);
  }, [bridge]);

  useEffect(() => {
    void load();
  }, [load]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const reply = await bridge.api['mcpTokens.create']({ name, password });
    setPassword('');
    if (reply.ok) {
      setCreated(reply.value);
      setName('');
      setMessage({ ok: true, text: `Token ${reply.value.name} created; it works until ${readableTime(reply.value.expiresAt)}. Copy it now: it is not shown again.` });
    } else setMessage({ ok: false, text: reply.error.message });
    await load();
  };

  const revoke = async (token: McpTokenView) => {
    const reply = await bridge.api['mcpTokens.revoke']({ id: token.id });
    setMessage(reply.ok ? { ok: true, text: `Token ${token.name} revoked: clients using it are refused from now on.` } : { ok: false, text: reply.error.message });
    if (created?.id === token.id) setCreated(null);
    await load();
  };

  return (
    <Page title="AI clients">
      <p className="muted">
        Claude Code, Cursor, VS Code or Claude Desktop can drive your own Blender — and nobody else&apos;s — through the endpoint below, with a token of yours.
      </p>
      <p>
        Endpoint: {url ? <code aria-label="MCP endpoint">{url}</code> : <span role="alert">not open (the port is taken; an administrator can choose another in Settings)</span>}
      </p>
      <Notice notice={message} />
      <form className="row" onSubmit={create}>
        <label>
          Token name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Claude Code on my laptop" />
        </label>
        <label>
          Your password
          <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        <button type="submit" className="primary">
          Create token
        </button>
      </form>
      {created && url && (
        <section aria-label="New token">
          <h2>Your new token</h2>
          <p>
            <code aria-label="Token">{created.token}</code>
          </p>
          {clientConfigs(url, created.token).map((c) => (
            <div key={c.client}>
              <h3>{c.client}</h3>
              <pre className="log">{c.text}</pre>
            </div>
          ))}
        </section>
      )}
      <table>
        <caption>{isAdmin ? 'Everyone\'s tokens' : 'Your tokens'}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            {isAdmin && <th scope="col">Person</th>}
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              {isAdmin && <td>{t.username}</td>}
              <td>{readableTime(t.createdAt)}</td>
              <td>{t.lastUsedAt ? readableTime(t.lastUsedAt) : 'never'}</td>
              <td>{t.expired ? `expired ${readableTime(t.expiresAt)}` : readableTime(t.expiresAt)}</td>
              <td>
                <button type="button" aria-label={`Revoke ${t.name}`} onClick={() => void revoke(t)}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
          {tokens.length === 0 && (
            <tr>
              <td colSpan={isAdmin ? 6 : 5} className="muted">
                No tokens yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </Page>
  );
}
