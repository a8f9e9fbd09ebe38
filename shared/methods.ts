/**
 * Every API method and who may call it: the only place rights are declared. It holds no schemas
 * (and imports nothing), so the sandboxed preload can carry it without pulling in zod.
 */
export const METHOD_ROLES = {
  'auth.signUp': 'anyone',
  'auth.signIn': 'anyone',
  'auth.whoAmI': 'anyone',
  'auth.signOut': 'user',
  'account.changePassword': 'user',
  'session.mine': 'user',
  'session.start': 'user',
  'session.stop': 'user',
  'session.activity': 'user',
  'session.versions': 'user',
  'session.openVersion': 'user',
  'session.fitScreen': 'user',
  'session.copiedFromBlender': 'user',
  'blender.sceneInfo': 'user',
  'blender.objectInfo': 'user',
  'blender.run': 'user',
  'blender.screenshot': 'user',
  'blender.render': 'user',
  'assets.polyhavenStatus': 'user',
  'assets.polyhavenCategories': 'user',
  'assets.polyhavenSearch': 'user',
  'assets.polyhavenThumbnail': 'user',
  'assets.polyhavenDownload': 'user',
  'assets.sketchfabStatus': 'user',
  'assets.sketchfabSearch': 'user',
  'assets.sketchfabThumbnail': 'user',
  'assets.sketchfabPreview': 'user',
  'assets.sketchfabDownload': 'user',
  'assets.setTexture': 'user',
  'files.list': 'user',
  'files.delete': 'user',
  'files.rename': 'user',
  'files.upload': 'user',
  'files.download': 'user',
  'files.open': 'user',
  'keys.list': 'user',
  'keys.set': 'user',
  'keys.clear': 'user',
  'mcpTokens.list': 'user',
  'mcpTokens.create': 'user',
  'mcpTokens.revoke': 'user',
  'mcp.endpoint': 'user',
  'admin.sessions': 'admin',
  'admin.stopSession': 'admin',
  'admin.stopAll': 'admin',
  'admin.cleanupIdle': 'admin',
  'admin.logs': 'admin',
  'admin.versions': 'admin',
  'admin.users': 'admin',
  'admin.createUser': 'admin',
  'admin.setDisabled': 'admin',
  'admin.setRole': 'admin',
  'admin.resetPassword': 'admin',
  'admin.deleteUser': 'admin',
  'admin.settings': 'admin',
  'admin.updateSettings': 'admin',
  'admin.engine': 'admin',
  'admin.acceptHostKey': 'admin',
} as const;

export type Method = keyof typeof METHOD_ROLES;
export type CallerRole = (typeof METHOD_ROLES)[Method];

export const METHOD_NAMES = Object.keys(METHOD_ROLES) as Method[];

/** Events main sends to a renderer. */
export const EVENT_NAMES = ['session.changed', 'session.progress', 'signIn.expiring', 'signIn.ended', 'mcp.call', 'assets.progress'] as const;
