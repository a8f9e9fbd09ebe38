import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { User } from '../../../shared/accounts';
import type { Reply, Method } from '../../../shared/api';
import { Notice } from './Notice';
import { useBridge, usePanel } from '../context';

export function AdminUsers() {
  const bridge = useBridge();
  const me = usePanel((s) => s.user);
  const [users, setUsers] = useState<User[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [form, setForm] = useState({ username: '', password: '', role: 'user' as 'user' | 'admin' });

  const load = useCallback(async () => {
    const reply = await bridge.api['admin.users']({});
    if (reply.ok) setUsers(reply.value);
  }, [bridge]);

  useEffect(() => {
    void load();
  }, [load]);

  const act = async (reply: Promise<Reply<Method>>, done: string) => {
    const r = await reply;
    setMessage(r.ok ? { ok: true, text: done } : { ok: false, text: r.error.message });
    await load();
  };

  const create = (event: FormEvent) => {
    event.preventDefault();
    void act(bridge.api['admin.createUser'](form), `Created ${form.username.trim()}`).then(() => setForm({ username: '', password: '', role: 'user' }));
  };

  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <Notice notice={message} />
      <table>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">Last sign-in</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <th scope="row">
                {u.username} {u.disabled && <span className="muted small">(disabled)</span>}
              </th>
              <td>
                <select aria-label={`Role of ${u.username}`} value={u.role} onChange={(e) => void act(bridge.api['admin.setRole']({ userId: u.id, role: e.target.value as 'user' | 'admin' }), `${u.username} is now ${e.target.value}`)}>
                  <option value="user">user</option>
                  <option value="admin">admin</option>
                </select>
              </td>
              <td>{u.lastLoginAt ? new Date(u.lastLoginAt).toLocaleString() : 'never'}</td>
              <td className="row">
                <button type="button" aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.username}`} disabled={u.id === me?.id} onClick={() => void act(bridge.api['admin.setDisabled']({ userId: u.id, disabled: !u.disabled }), `${u.username} ${u.disabled ? 'enabled' : 'disabled'}`)}>
                  {u.disabled ? 'Enable' : 'Disable'}
                </button>
                <button
                  type="button"
                  aria-label={`Reset password of ${u.username}`}
                  onClick={() => {
                    const password = window.prompt(`New password for ${u.username} (at least 8 characters)`);
                    if (password) void act(bridge.api['admin.resetPassword']({ userId: u.id, password }), `Password of ${u.username} reset`);
                  }}
                >
                  Reset password
                </button>
                <button
                  type="button"
                  aria-label={`Delete ${u.username}`}
                  disabled={u.id === me?.id}
                  onClick={() => {
                    if (!window.confirm(`Delete ${u.username}? Their container stops.`)) return;
                    const deleteData = window.confirm(`Also delete ${u.username}'s files (their Blender volume)? This cannot be undone.`);
                    void act(bridge.api['admin.deleteUser']({ userId: u.id, deleteData }), `Deleted ${u.username}${deleteData ? ' and their files' : ''}`);
                  }}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" onSubmit={create} aria-label="Create a user">
        <h3>Create a user</h3>
        <label>
          New username
          <input value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} />
        </label>
        <label>
          New password
          <input type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
        </label>
        <label>
          Role
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as 'user' | 'admin' })}>
            <option value="user">user</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit">Create user</button>
      </form>
    </section>
  );
}
