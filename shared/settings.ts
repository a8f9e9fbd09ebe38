import { z } from 'zod';

const whole = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

/** A service's address: https, or plain http only to this machine (a local stand-in or mirror). */
const serviceUrl = (fallback: string) =>
  z
    .string({ error: 'must be text' })
    .max(512, 'must be at most 512 characters')
    .regex(/^(https:\/\/[^\s/?#]+|http:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d{1,5})?)(\/[^\s?#]*)?$/, 'must be an https:// address (or http:// to 127.0.0.1 or localhost), without a query')
    .default(fallback);

const filePath = z.string({ error: 'must be text' }).max(4096, 'must be at most 4096 characters').regex(/^$|^\//, 'must be empty or an absolute path').default('');

/** Everything an operator can configure, with the defaults of a fresh install. */
export const settingsSchema = z
  .object({
    image: z
      .string({ error: 'must be text' })
      .regex(/^[a-z0-9][a-z0-9._\-/:@]{0,255}$/, 'must be a Docker image reference like blender-lab/blender:latest')
      .default('blender-lab/blender:latest'),
    addonPortBase: whole(1024, 65000).default(10000),
    uiPortBase: whole(1024, 65000).default(13000),
    portRangeSize: whole(1, 1000).default(100),
    idleTimeoutMinutes: whole(1, 7 * 24 * 60).default(30),
    signOutIdleMinutes: whole(2, 24 * 60).default(15),
    signInMaxHours: whole(1, 7 * 24).default(12),
    autosaveSeconds: whole(5, 3600).default(60),
    versionsKept: whole(1, 50).default(5),
    mcpPort: whole(1024, 65535).default(9711),
    /** How long an AI-client token lives. */
    mcpTokenDays: whole(1, 3650).default(90),
    /** 0: as many as the engine has CPUs. */
    maxConcurrentStarts: whole(0, 64).default(0),
    /** Where each person's own network takes its small (/29) subnet: 8192 people in a /16. */
    networkPool: z
      .string({ error: 'must be text' })
      .regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(8|9|1\d|2[0-8])$/, 'must be an IPv4 range like 10.213.0.0/16 (from /8 to /28)')
      .default('10.213.0.0/16'),
    /** Where PolyHaven's API is (its public API, or a lab's mirror of it). */
    polyhavenUrl: serviceUrl('https://api.polyhaven.com'),
    /** Where Sketchfab's Data API v3 is; each person's own key goes there and nowhere else. */
    sketchfabUrl: serviceUrl('https://api.sketchfab.com/v3'),
    /** Where Hyper3D Rodin's API is (its main site); each person's own key goes there and nowhere else. */
    hyper3dUrl: serviceUrl('https://hyperhuman.deemos.com/api'),
    /** Where Tencent Cloud's Hunyuan3D API is; each person's own keys sign the calls there. */
    hunyuan3dUrl: serviceUrl('https://hunyuan.tencentcloudapi.com'),
    /** The most one asset download may bring in, all its files together. */
    assetDownloadLimitMiB: whole(1, 64 * 1024).default(2048),
    /** The largest single file a person may upload into their home. */
    uploadLimitMiB: whole(1, 1024 * 1024).default(2048),
    memoryMiB: whole(512, 256 * 1024).default(2048),
    cpus: z.number({ error: 'must be a number' }).min(0.25, 'must be at least 0.25').max(64, 'must be at most 64').default(1),
    pidsLimit: whole(64, 32768).default(1024),
    startTimeoutSeconds: whole(10, 900).default(180),
    signUpAllowed: z.boolean({ error: 'must be true or false' }).default(true),
    dockerEndpoint: z
      .string({ error: 'must be text' })
      .max(512)
      .regex(/^$|^(unix|tcp|npipe|ssh):\/\//, 'must be empty (the default) or start with unix://, ssh://, tcp:// or npipe://')
      .default(''),
    /** TLS for a tcp:// engine (all three, or none and Docker's DOCKER_TLS_VERIFY/DOCKER_CERT_PATH). */
    tlsCaPath: filePath,
    tlsCertPath: filePath,
    tlsKeyPath: filePath,
    /** Where a tcp:// (TLS) engine publishes session ports: its host's address on the lab network; empty: 127.0.0.1. */
    publishAddress: z
      .string({ error: 'must be text' })
      .regex(/^$|^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'must be empty or an IPv4 address like 192.168.1.20')
      .default(''),
    /** The key an ssh:// engine is signed in to with; empty: the SSH agent and the default keys of ~/.ssh. */
    sshKeyPath: filePath,
  })
  .strict()
  .superRefine((s, ctx) => {
    const tls = [s.tlsCaPath, s.tlsCertPath, s.tlsKeyPath].filter(Boolean).length;
    if (tls !== 0 && tls !== 3) ctx.addIssue({ code: 'custom', path: ['tlsCaPath'], message: 'give all three of tlsCaPath, tlsCertPath and tlsKeyPath, or none' });
    if (s.addonPortBase < s.uiPortBase + s.portRangeSize && s.uiPortBase < s.addonPortBase + s.portRangeSize) {
      ctx.addIssue({ code: 'custom', path: ['uiPortBase'], message: 'the add-on and UI port ranges overlap' });
    }
    if (Math.max(s.addonPortBase, s.uiPortBase) + s.portRangeSize > 65535) {
      ctx.addIssue({ code: 'custom', path: ['portRangeSize'], message: 'the port range runs past 65535' });
    }
  });

export type Settings = z.output<typeof settingsSchema>;
export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});
