import { createHash, createHmac } from 'node:crypto';

/** What a Tencent Cloud API call is: its service, action, version and region. */
export interface TencentCall {
  service: string;
  action: string;
  version: string;
  region: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();

/**
 * The headers of a signed POST to Tencent Cloud's API (signature v3, TC3-HMAC-SHA256, as Tencent
 * documents it and blender-mcp's client computes it): the JSON `body` and the call are signed with
 * the secret key, which itself never leaves the panel.
 */
export function tc3Headers(call: TencentCall, host: string, body: string, secretId: string, secretKey: string, now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  const date = now.toISOString().slice(0, 10);
  const contentType = 'application/json; charset=utf-8';
  const signedHeaders = 'content-type;host;x-tc-action';
  const canonicalHeaders = `content-type:${contentType}\nhost:${host}\nx-tc-action:${call.action.toLowerCase()}\n`;
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, sha256(body)].join('\n');
  const scope = `${date}/${call.service}/tc3_request`;
  const toSign = ['TC3-HMAC-SHA256', String(timestamp), scope, sha256(canonicalRequest)].join('\n');
  const signing = hmac(hmac(hmac(`TC3${secretKey}`, date), call.service), 'tc3_request');
  const signature = createHmac('sha256', signing).update(toSign, 'utf8').digest('hex');
  return {
    Authorization: `TC3-HMAC-SHA256 Credential=${secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    'Content-Type': contentType,
    'X-TC-Action': call.action,
    'X-TC-Timestamp': String(timestamp),
    'X-TC-Version': call.version,
    'X-TC-Region': call.region,
  };
}
