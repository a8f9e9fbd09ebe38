import { randomBytes } from 'node:crypto';
import { create as contentDisposition } from 'content-disposition';
import { AppError, ERROR_CODES, type ErrorCode } from '../../../shared/errors';
import { baseName, checkName, describeBytes, homePath, parentOf, type FolderListing, type TransferTicket } from '../../../shared/files';
import type { Settings } from '../../../shared/settings';
import type { ContainerEngine } from '../engine/container-engine';
import { IMAGE_FACTS } from '../blender/image-contract';
import type { SessionManager } from '../sessions/sessions';
import { firstFileOf } from '../engine/tar';

const HOME = IMAGE_FACTS.home;
/**
 * The helper runs isolated from the person's own Python: -I (no user site, no PYTHON* variables,
 * not the script's folder first) and -S (no site module, so no .pth files), with a fixed
 * environment. Otherwise a usercustomize.py in their home would answer the panel in its place.
 */
const HELPER = IMAGE_FACTS.filesHelper;
const HELPER_ENV = { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' };
/** Time between asking for a transfer and the renderer starting it. */
const TICKET_LIFETIME_MS = 2 * 60_000;
/** Transfers waiting to start, per person: one person asking for many cannot hold up everyone else's. */
const MAX_TICKETS_PER_PERSON = 20;
const MAX_TICKETS = 2000;
export const TRANSFER_PREFIX = '/transfer/';

interface Ticket {
  userId: string;
  expires: number;
  kind: 'upload' | 'download';
  /** Relative to the home: the file or folder to download, or the file an upload becomes. */
  path: string;
  bytes: number;
}

/** A transfer request, as either front door (Electron's app:// protocol or the headless server) sees it. */
export interface TransferRequest {
  method: string;
  pathname: string;
  contentLength: number | null;
  body: AsyncIterable<Uint8Array> | null;
}

export interface TransferResponse {
  status: number;
  headers: Record<string, string>;
  body: AsyncIterable<Buffer> | string;
}

export interface FileServiceDeps {
  engine: ContainerEngine;
  sessions: SessionManager;
  settings: () => Settings;
  now?: () => number;
}

/**
 * A person's home in their container, reached only through Docker (the archive API for the
 * bytes, a helper run in the container for listings and moves), so it works on any engine the
 * panel drives. Every path is checked here and again inside the container.
 */
export class FileService {
  private readonly tickets = new Map<string, Ticket>();
  private readonly now: () => number;

  constructor(private readonly deps: FileServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  list(userId: string, path: string): Promise<FolderListing> {
    return this.helper(userId, ['list', homePath(path)]);
  }

  async delete(userId: string, path: string): Promise<void> {
    await this.helper(userId, ['delete', this.notHome(path)]);
  }

  async rename(userId: string, path: string, to: string): Promise<void> {
    await this.helper(userId, ['rename', this.notHome(path), checkName(to)]);
  }

  /** Checks that `path` is a .blend file of the person's, before Blender is restarted on it. */
  async checkBlendFile(userId: string, path: string): Promise<string> {
    const relative = this.notHome(path);
    if (!relative.toLowerCase().endsWith('.blend')) throw new AppError('INVALID_INPUT', `${baseName(relative)} is not a .blend file`);
    const { kind } = await this.helper<{ kind: string }>(userId, ['stat', relative]);
    if (kind !== 'file') throw new AppError('INVALID_INPUT', `${relative} is a ${kind}, not a file`);
    return relative;
  }

  /** A file of the home, whole and base64-encoded: for images the panel shows, never for uploads. */
  async readBase64(userId: string, path: string, maxBytes = 64 * 1024 * 1024): Promise<string> {
    return (await this.readFromHome(userId, path, maxBytes)).toString('base64');
  }

  /** A file of the home, whole, at most `maxBytes` (a picture sent to a generator, one shown in History: `purpose` says which, in the refusal). */
  async readFromHome(userId: string, path: string, maxBytes: number, purpose = 'to show'): Promise<Buffer> {
    const relative = this.notHome(path);
    const { kind, bytes } = await this.helper<{ kind: string; bytes: number }>(userId, ['stat', relative]);
    if (kind !== 'file') throw new AppError('INVALID_INPUT', `${relative} is not a file`);
    if (bytes > maxBytes) throw new AppError('INVALID_INPUT', `${relative} is ${describeBytes(bytes)}, too large ${purpose}`);
    // Read with the same cap: the file may have grown since it was looked at.
    const data = await this.deps.engine.files.read(this.deps.sessions.runningContainer(userId), `${HOME}/${relative}`, maxBytes);
    if (!data) throw new AppError('NOT_FOUND', `${relative} is not there`);
    return data;
  }

  /** Removes a file or folder of the home, as `delete` does (what a download staged there for Blender). */
  removeFromHome(userId: string, path: string): Promise<void> {
    return this.delete(userId, path);
  }

  async prepareUpload(userId: string, folder: string, name: string, bytes: number): Promise<TransferTicket> {
    const limitMiB = this.deps.settings().uploadLimitMiB;
    if (bytes > limitMiB * 1024 * 1024) {
      throw new AppError('INVALID_INPUT', `${name} is ${describeBytes(bytes)}; uploads are limited to ${limitMiB} MiB each (setting uploadLimitMiB)`);
    }
    const target = homePath([homePath(folder), checkName(name)].filter(Boolean).join('/'));
    const { kind } = await this.helper<{ kind: string }>(userId, ['stat', parentOf(target)]);
    if (kind !== 'folder') throw new AppError('INVALID_INPUT', `${parentOf(target)} is not a folder`);
    return this.ticket({ userId, kind: 'upload', path: target, bytes });
  }

  async prepareDownload(userId: string, path: string): Promise<TransferTicket> {
    const relative = homePath(path);
    const { kind } = await this.helper<{ kind: string }>(userId, ['stat', relative]);
    if (kind === 'link') throw new AppError('INVALID_INPUT', `${relative} is a link; links are not followed`);
    const ticket = this.ticket({ userId, kind: 'download', path: relative, bytes: 0 });
    return kind === 'folder' ? { ...ticket, name: `${baseName(relative) || 'home'}.tar` } : ticket;
  }

  /** Serves one transfer: streams an upload into the home, or a file (a folder as a tar archive) out of it. */
  async transfer(request: TransferRequest): Promise<TransferResponse> {
    const token = request.pathname.slice(TRANSFER_PREFIX.length);
    const ticket = this.tickets.get(token);
    this.tickets.delete(token); // single use, whatever happens next
    if (!ticket || ticket.expires < this.now()) return text(404, 'This transfer has expired or was already used: start it again from Files.');
    try {
      if (ticket.kind === 'upload') {
        if (request.method !== 'PUT' || !request.body) return text(405, 'An upload is sent with PUT');
        // Electron may not pass the length on; the stream is held to the announced size either way.
        if (request.contentLength !== null && request.contentLength !== ticket.bytes) return text(400, `The upload must be exactly the ${ticket.bytes} bytes announced`);
        const placed = await this.upload(ticket, request.body);
        return { status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(placed) };
      }
      if (request.method !== 'GET') return text(405, 'A download is fetched with GET');
      return await this.download(ticket);
    } catch (error) {
      const status = error instanceof AppError && error.code === 'INVALID_INPUT' ? 400 : error instanceof AppError && error.code === 'NOT_FOUND' ? 404 : 500;
      return text(status, error instanceof Error ? error.message : String(error));
    }
  }

  private async upload(ticket: Ticket, body: AsyncIterable<Uint8Array>): Promise<{ path: string; bytes: number }> {
    const container = this.deps.sessions.runningContainer(ticket.userId);
    const folder = parentOf(ticket.path);
    // Written beside its name, then moved over it in one step: a cut upload never replaces a file.
    const partial = `.upload-${randomBytes(6).toString('hex')}.part`;
    const partialPath = [folder, partial].filter(Boolean).join('/');
    try {
      await this.deps.engine.files.putStream(container, [HOME, folder].filter(Boolean).join('/'), partial, ticket.bytes, body, { uid: IMAGE_FACTS.uid, gid: IMAGE_FACTS.gid });
      await this.helper(ticket.userId, ['place', partialPath, ticket.path]);
    } catch (error) {
      await this.helper(ticket.userId, ['discard', partialPath]).catch(() => {});
      throw error;
    }
    return { path: ticket.path, bytes: ticket.bytes };
  }

  private async download(ticket: Ticket): Promise<TransferResponse> {
    const container = this.deps.sessions.runningContainer(ticket.userId);
    const { kind } = await this.helper<{ kind: string }>(ticket.userId, ['stat', ticket.path]);
    const archive = await this.deps.engine.files.readArchive(container, [HOME, ticket.path].filter(Boolean).join('/'));
    const name = kind === 'folder' ? `${baseName(ticket.path) || 'home'}.tar` : baseName(ticket.path);
    const headers: Record<string, string> = {
      'Content-Type': kind === 'folder' ? 'application/x-tar' : 'application/octet-stream',
      'Content-Disposition': contentDisposition(name),
    };
    if (kind === 'folder') return { status: 200, headers, body: archive };
    // The size is the engine's tar header, written from the file system itself.
    const file = await firstFileOf(archive);
    if (!file) throw new AppError('NOT_FOUND', `${ticket.path} is not a file any more`);
    return { status: 200, headers: { ...headers, 'Content-Length': String(file.size) }, body: file.body };
  }

  /** The person is gone from every window: the transfers they asked for and did not start end with them. */
  forget(userId: string): void {
    for (const [token, t] of this.tickets) if (t.userId === userId) this.tickets.delete(token);
  }

  private ticket(ticket: Omit<Ticket, 'expires'>): TransferTicket {
    const now = this.now();
    for (const [token, t] of this.tickets) if (t.expires < now) this.tickets.delete(token);
    const own = [...this.tickets.values()].filter((t) => t.userId === ticket.userId).length;
    if (own >= MAX_TICKETS_PER_PERSON) throw new AppError('CONFLICT', `You have ${MAX_TICKETS_PER_PERSON} transfers waiting to start; start or cancel those first, or wait two minutes for them to lapse`);
    if (this.tickets.size >= MAX_TICKETS) throw new AppError('CONFLICT', 'Too many transfers are waiting to start; try again in a minute');
    const token = randomBytes(24).toString('base64url');
    this.tickets.set(token, { ...ticket, expires: now + TICKET_LIFETIME_MS });
    return { url: `${TRANSFER_PREFIX}${token}`, name: baseName(ticket.path) };
  }

  private notHome(path: string): string {
    const relative = homePath(path);
    if (!relative) throw new AppError('INVALID_INPUT', 'That is your home folder itself; choose a file or folder in it');
    return relative;
  }

  /** Runs the in-container helper for the person's running Blender and returns its answer. */
  private async helper<T = FolderListing>(userId: string, args: string[]): Promise<T> {
    const container = this.deps.sessions.runningContainer(userId);
    const { exitCode, stdout } = await this.deps.engine.containers.exec(container, [...HELPER, ...args], { env: HELPER_ENV });
    let answer: { error?: string; code?: string } & Record<string, unknown>;
    try {
      answer = JSON.parse(stdout);
    } catch {
      throw new AppError('INTERNAL', exitCode === -1 ? 'Your Blender stopped while reaching your files' : `The files helper failed (exit ${exitCode})`);
    }
    if (typeof answer.error === 'string') {
      const code = (ERROR_CODES as readonly string[]).includes(answer.code ?? '') ? (answer.code as ErrorCode) : 'INTERNAL';
      throw new AppError(code, answer.error);
    }
    return answer as T;
  }
}

function text(status: number, message: string): TransferResponse {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: message };
}
