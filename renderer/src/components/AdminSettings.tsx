import { useEffect, useState, type FormEvent } from 'react';
import { ENGINE_SETTINGS } from '../../../shared/engine';
import { isActive } from '../../../shared/sessions';
import type { Settings } from '../../../shared/settings';
import { EngineState } from './EngineState';
import { Notice } from './Notice';
import { useBridge, usePanel } from '../context';

const FIELDS: { key: keyof Settings; label: string; type: 'text' | 'number' | 'checkbox' }[] = [
  { key: 'image', label: 'Blender image', type: 'text' },
  { key: 'idleTimeoutMinutes', label: 'Idle timeout (minutes)', type: 'number' },
  { key: 'signOutIdleMinutes', label: 'Sign out after the panel is unused for (minutes)', type: 'number' },
  { key: 'signInMaxHours', label: 'Longest sign-in (hours)', type: 'number' },
  { key: 'autosaveSeconds', label: 'Autosave every (seconds)', type: 'number' },
  { key: 'versionsKept', label: 'Saved versions kept per person', type: 'number' },
  { key: 'maxConcurrentStarts', label: 'Blenders starting at once (0: one per CPU)', type: 'number' },
  { key: 'mcpPort', label: 'AI clients\' port', type: 'number' },
  { key: 'mcpTokenDays', label: 'AI-client tokens last (days)', type: 'number' },
  { key: 'memoryMiB', label: 'Memory per session (MiB)', type: 'number' },
  { key: 'cpus', label: 'CPUs per session', type: 'number' },
  { key: 'pidsLimit', label: 'Processes per session', type: 'number' },
  { key: 'startTimeoutSeconds', label: 'Start timeout (seconds)', type: 'number' },
  { key: 'addonPortBase', label: 'First add-on port', type: 'number' },
  { key: 'uiPortBase', label: 'First UI port', type: 'number' },
  { key: 'portRangeSize', label: 'Ports per range', type: 'number' },
  { key: 'uploadLimitMiB', label: 'Largest upload in Files (MiB)', type: 'number' },
  { key: 'polyhavenUrl', label: 'PolyHaven\'s address (its API, or a mirror)', type: 'text' },
  { key: 'sketchfabUrl', label: 'Sketchfab\'s API address (people use their own keys)', type: 'text' },
  { key: 'hyper3dUrl', label: 'Hyper3D Rodin\'s API address (people use their own keys)', type: 'text' },
  { key: 'hunyuan3dUrl', label: 'Hunyuan3D\'s API address (Tencent Cloud; people use their own keys)', type: 'text' },
  { key: 'assetDownloadLimitMiB', label: 'Largest asset download (MiB)', type: 'number' },
  { key: 'networkPool', label: 'Address range for people\'s networks', type: 'text' },
  { key: 'dockerEndpoint', label: 'Docker endpoint (empty: this machine; ssh://user@host; tcp:// needs TLS)', type: 'text' },
  { key: 'tlsCaPath', label: 'TLS: the engine\'s CA certificate (file)', type: 'text' },
  { key: 'tlsCertPath', label: 'TLS: this panel\'s certificate (file)', type: 'text' },
  { key: 'tlsKeyPath', label: 'TLS: this panel\'s key (file)', type: 'text' },
  { key: 'publishAddress', label: 'TLS: the engine host\'s address session ports are published on (empty: 127.0.0.1)', type: 'text' },
  { key: 'sshKeyPath', label: 'SSH: key file (empty: the SSH agent and ~/.ssh keys)', type: 'text' },
  { key: 'signUpAllowed', label: 'People may create their own accounts', type: 'checkbox' },
];

export function AdminSettings() {
  const bridge = useBridge();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [draft, setDraft] = useState<Record<string, string | boolean>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [saving, setSaving] = useState(false);
  const [engineChecks, setEngineChecks] = useState(0);
  const sessions = usePanel((s) => s.sessions);
  const running = sessions.filter((row) => isActive(row.state)).map((row) => row.username);

  useEffect(() => {
    void bridge.api['admin.settings']({}).then((r) => {
      if (r.ok) setSettings(r.value);
    });
  }, [bridge]);

  if (!settings) return null;

  const value = (key: keyof Settings) => (key in draft ? draft[key] : settings[key]);

  const movesEngine = ENGINE_SETTINGS.some((key) => key in draft && draft[key] !== settings[key]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    // Moving engines stops every Blender on the current one: the administrator says so first.
    if (movesEngine && !confirming) return setConfirming(true);
    setConfirming(false);
    const patch: Record<string, unknown> = {};
    for (const { key, type } of FIELDS) {
      if (!(key in draft)) continue;
      patch[key] = type === 'number' ? Number(draft[key]) : draft[key];
    }
    setSaving(true);
    setMessage(movesEngine ? { ok: true, text: 'Saving the open scenes and moving to the new engine…' } : null);
    const reply = await bridge.api['admin.updateSettings'](patch);
    setSaving(false);
    if (movesEngine) setEngineChecks((n) => n + 1);
    if (reply.ok) {
      setSettings(reply.value);
      setDraft({});
      setMessage({ ok: true, text: 'Settings saved' });
    } else {
      setMessage({ ok: false, text: reply.error.message });
    }
  };

  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <EngineState refresh={engineChecks} />
      <form className="inline-form" onSubmit={save}>
        {FIELDS.map(({ key, label, type }) =>
          type === 'checkbox' ? (
            <label key={key} className="check">
              <input type="checkbox" checked={Boolean(value(key))} onChange={(e) => setDraft({ ...draft, [key]: e.target.checked })} />
              {label}
            </label>
          ) : (
            <label key={key}>
              {label}
              <input type={type} step="any" value={String(value(key))} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
            </label>
          ),
        )}
        <Notice notice={message} />
        {confirming ? (
          <div role="alertdialog" aria-label="Move to another engine" className="confirm">
            <p>
              {running.length
                ? `Moving to another engine saves and stops the Blenders running now (${running.join(', ')}).`
                : 'The panel will move to another engine.'}{' '}
              People's files stay on the engine their Blender ran on: on the new one they start with their files from there.
            </p>
            <button type="submit" className="primary">
              Save and move
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <button type="submit" className="primary" disabled={saving || Object.keys(draft).length === 0}>
            Save settings
          </button>
        )}
      </form>
    </section>
  );
}
