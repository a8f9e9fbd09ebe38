import { createHmac } from 'node:crypto';

/**
 * What is derived from a session's secret, so that the secret itself never has to cross a
 * network: the add-on's challenge-response proof, and the token of the screen (which the frame
 * carries in its address, and which over a tcp:// engine travels in clear: a listener who takes
 * it learns the screen, not the secret that runs Python). The image computes the same.
 */

/** What the add-on's proof is computed over, besides its nonce. */
const PROOF_CONTEXT = 'blender-lab-auth:';
const SCREEN_CONTEXT = 'blender-lab-ui';

/** HMAC-SHA256(secret, context + nonce), hex: proves the secret without sending it. */
export function proofFor(secret: string, nonce: string): string {
  return createHmac('sha256', secret).update(PROOF_CONTEXT + nonce).digest('hex');
}

/** The screen's token: HMAC-SHA256(secret, "blender-lab-ui"), base64url without padding. */
export function screenTokenFor(secret: string): string {
  return createHmac('sha256', secret).update(SCREEN_CONTEXT).digest('base64url');
}
