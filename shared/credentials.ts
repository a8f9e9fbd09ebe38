import { z } from 'zod';

/** Integration keys the panel knows by name; any other NAME_LIKE_THIS is accepted too. */
export const KNOWN_CREDENTIALS = [
  { name: 'SKETCHFAB_API_KEY', label: 'Sketchfab' },
  { name: 'HYPER3D_API_KEY', label: 'Hyper3D Rodin' },
  { name: 'HUNYUAN3D_SECRET_ID', label: 'Hunyuan3D (Tencent Cloud SecretId)' },
  { name: 'HUNYUAN3D_SECRET_KEY', label: 'Hunyuan3D (Tencent Cloud SecretKey)' },
  { name: 'ANTHROPIC_API_KEY', label: 'Anthropic' },
] as const;

export const credentialNameSchema = z
  .string({ error: 'Key name must be text' })
  .regex(/^[A-Z][A-Z0-9_]{1,63}$/, 'Key name must be 2–64 characters of A–Z, 0–9 and _, starting with a letter')
  .refine((n) => !n.startsWith('BLENDER_LAB_'), 'Key names starting with BLENDER_LAB_ are reserved');

export const credentialValueSchema = z
  .string({ error: 'Key value must be text' })
  .min(1, 'Key value must not be empty')
  .max(8192, 'Key value must be at most 8192 characters')
  // eslint-disable-next-line no-control-regex
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'Key value must not contain line breaks or control characters');

/** What the UI may know about a key: whether it is set, never its value. */
export interface CredentialStatus {
  name: string;
  label: string;
  set: boolean;
}
