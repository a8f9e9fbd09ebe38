// Run in a child process with a chosen D-Bus environment: tries the keychain once and prints
// what the panel would report, as JSON.
import { CredentialService, KeytarSecretStore } from '../../electron/services/secrets/credentials';

const service = new CredentialService(new KeytarSecretStore('blender-lab-probe'), 'probe');
try {
  await service.set('u1', 'ANTHROPIC_API_KEY', 'sk-probe');
  await service.clear('u1', 'ANTHROPIC_API_KEY');
  console.log(JSON.stringify({ ok: true }));
} catch (error) {
  const e = error as { code?: string; message?: string };
  console.log(JSON.stringify({ code: e.code, message: e.message }));
}
