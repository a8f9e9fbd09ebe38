import { AppError } from './errors';

/** One entry of a folder in a person's home, as the Files view lists it. */
export interface FileEntry {
  name: string;
  /** A link is listed but never followed: it may point out of the home. */
  kind: 'file' | 'folder' | 'link';
  bytes: number;
  modifiedAt: string;
}

export interface FolderListing {
  /** Relative to the home; '' is the home itself. */
  path: string;
  entries: FileEntry[];
}

/** Where the renderer sends or fetches the bytes of one transfer (single use, short-lived). */
export interface TransferTicket {
  url: string;
  name: string;
}

export interface RenderResult {
  /** Relative to the home, e.g. renders/Scene-20261125T101500.png */
  path: string;
  width: number;
  height: number;
  image_base64: string;
}

const MAX_NAME_BYTES = 255;
export const MAX_PATH_CHARS = 4096;

/** Checks one file or folder name; says precisely what is wrong with a hostile one. */
export function checkName(name: string): string {
  if (name === '') throw new AppError('INVALID_INPUT', 'A name cannot be empty');
  if (name === '.' || name === '..') throw new AppError('INVALID_INPUT', `"${name}" is not a file name: names must stay inside your home folder`);
  if (name.includes('/')) throw new AppError('INVALID_INPUT', `"${name}" cannot contain "/": give a name, not a path`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new AppError('INVALID_INPUT', 'Names cannot contain control characters');
  if (new TextEncoder().encode(name).length > MAX_NAME_BYTES) throw new AppError('INVALID_INPUT', `A name may be at most ${MAX_NAME_BYTES} bytes long`);
  return name;
}

/**
 * A path inside the person's home, relative to it, in normal form ('' for the home). Absolute
 * paths and `..` are refused rather than resolved, so a name can never say where it leads.
 */
export function homePath(path: string): string {
  if (path.length > MAX_PATH_CHARS) throw new AppError('INVALID_INPUT', `A path may be at most ${MAX_PATH_CHARS} characters long`);
  if (path.startsWith('/')) throw new AppError('INVALID_INPUT', `"${path}" is an absolute path: paths are relative to your home folder`);
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new AppError('INVALID_INPUT', `"${path}" leads out of your home folder ("..")`);
  for (const part of parts) checkName(part);
  return parts.join('/');
}

export function parentOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** "3.1 GiB": a size a person can read. */
export function describeBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
