// Loads the built main bundle the way Electron 45 would, in plain Node: 'electron' resolves to a
// stand-in, and every native module load fails as Electron fails a module built for Node's ABI.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);

process.dlopen = (_module, filename) => {
  console.log(`DLOPEN ${filename}`);
  const error = new Error(
    `The module '${filename}' was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 150.`,
  );
  error.code = 'ERR_DLOPEN_FAILED';
  throw error;
};
