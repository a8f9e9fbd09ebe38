import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransferTicket } from '../../shared/files';
import type { TransferResponse } from '../../electron/services/files/files';
import { testEngine } from '../support/blender';
import { Harness } from '../support/sessions-harness';

// A person's files in and out of their home, through Docker's archive API, on the real engine and image.
const engine = testEngine();
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.cleanup();
});

async function harness(overrides: Record<string, unknown> = {}) {
  const h = new Harness(engine, overrides as never);
  harnesses.push(h);
  return h.init();
}

type Call = (method: string, input?: unknown) => Promise<any>;

async function signedIn(h: Harness, name: string) {
  const { password } = await h.user(name);
  return h.window(name, password);
}

async function* chunks(data: Buffer, size = 1 << 20) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function readAll(body: TransferResponse['body']): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body);
  const parts: Buffer[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}

async function upload(h: Harness, call: Call, folder: string, name: string, data: Buffer, body: AsyncIterable<Uint8Array> = chunks(data)) {
  const ticket: TransferTicket = await call('files.upload', { folder, name, bytes: data.length });
  return h.files.transfer({ method: 'PUT', pathname: ticket.url, contentLength: null, body });
}

async function download(h: Harness, call: Call, path: string) {
  const ticket: TransferTicket = await call('files.download', { path });
  const answer = await h.files.transfer({ method: 'GET', pathname: ticket.url, contentLength: null, body: null });
  return { ticket, answer, bytes: await readAll(answer.body) };
}

const errorOf = (promise: Promise<unknown>) => promise.then(() => null, (e: { code: string; message: string }) => ({ code: e.code, message: e.message }));
const run = (call: Call, code: string) => call('blender.run', { code: `import bpy, os\n${code}` });

describe('files in and out', () => {
  it('a .blend goes in, Blender opens it, the change comes back out in the file', async () => {
    const h = await harness();
    const ada = await signedIn(h, 'ada');
    const bob = await signedIn(h, 'bob');
    // Ada's model, saved as a file of hers, downloaded as any file would be.
    await run(ada.call, 'bpy.ops.mesh.primitive_monkey_add()\nbpy.context.active_object.name = "AdasMonkey"\nbpy.ops.wm.save_as_mainfile(filepath="/home/blender/model.blend", copy=True)');
    const listed = (await ada.call('files.list', { path: '' })).entries.find((e: { name: string }) => e.name === 'model.blend');
    expect(listed).toMatchObject({ kind: 'file' });
    const model = await download(h, ada.call, 'model.blend');
    expect(model.answer.status).toBe(200);
    expect(model.answer.headers['Content-Disposition']).toContain('model.blend');
    expect(model.bytes.length).toBe(listed.bytes);
    expect(model.bytes.subarray(0, 7).toString()).toBe('BLENDER');

    // Into Bob's home, in a folder of his; Blender opens it, the scene he had is saved first.
    await run(bob.call, 'bpy.ops.mesh.primitive_cube_add()\nbpy.context.active_object.name = "BobsOwnCube"\nos.makedirs("/home/blender/incoming", exist_ok=True)');
    const placed = await upload(h, bob.call, 'incoming', 'from ada.blend', model.bytes);
    expect(placed.status).toBe(200);
    expect(JSON.parse(String(placed.body))).toEqual({ path: 'incoming/from ada.blend', bytes: model.bytes.length });
    const opened = await bob.call('files.open', { path: 'incoming/from ada.blend' });
    expect(opened.state).toBe('ready');
    expect(opened.scene?.message).toBe('Opened incoming/from ada.blend from your files.');
    const names = async () => (await bob.call('blender.sceneInfo')).objects.map((o: { name: string }) => o.name);
    expect(await names()).toContain('AdasMonkey');
    const versions = await bob.call('session.versions');
    expect(versions.versions.length).toBeGreaterThan(0); // his own scene was kept as a version

    // He changes it and saves (Ctrl+S): the file he downloads has the change.
    await run(bob.call, 'bpy.ops.mesh.primitive_cylinder_add()\nbpy.context.active_object.name = "BobsChange"\nbpy.ops.wm.save_mainfile()');
    const back = await download(h, bob.call, 'incoming/from ada.blend');
    expect(back.bytes.includes(Buffer.from('OBBobsChange'))).toBe(true);
    expect(back.bytes.includes(Buffer.from('OBAdasMonkey'))).toBe(true);
    // Ada's own file is untouched by any of it.
    expect((await download(h, ada.call, 'model.blend')).bytes.includes(Buffer.from('OBBobsChange'))).toBe(false);
  });

  it('streams a large file in and out unchanged, and a folder comes out as one archive', async () => {
    const h = await harness();
    const cy = await signedIn(h, 'cy');
    const data = randomBytes(64 * 1024 * 1024);
    expect((await upload(h, cy.call, '', 'big.bin', data)).status).toBe(200);
    const back = await download(h, cy.call, 'big.bin');
    expect(back.answer.headers['Content-Length']).toBe(String(data.length));
    expect(createHash('sha256').update(back.bytes).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));

    await run(cy.call, 'os.makedirs("/home/blender/textures", exist_ok=True)\nopen("/home/blender/textures/wood.txt", "w").write("grain")');
    const folder = await download(h, cy.call, 'textures');
    expect(folder.ticket.name).toBe('textures.tar');
    expect(folder.answer.headers['Content-Type']).toBe('application/x-tar');
    expect(folder.bytes.includes(Buffer.from('textures/wood.txt'))).toBe(true);
    expect(folder.bytes.includes(Buffer.from('grain'))).toBe(true);
  });

  it('renames and deletes, and never overwrites by renaming', async () => {
    const h = await harness();
    const di = await signedIn(h, 'di');
    await run(di.call, 'open("/home/blender/a.txt", "w").write("a")\nopen("/home/blender/b.txt", "w").write("b")\nos.makedirs("/home/blender/old/deeper")');
    expect(await errorOf(di.call('files.rename', { path: 'a.txt', to: 'b.txt' }))).toEqual({ code: 'CONFLICT', message: '"b.txt" already exists here' });
    await di.call('files.rename', { path: 'a.txt', to: 'c.txt' });
    await di.call('files.delete', { path: 'old' });
    const names = (await di.call('files.list', { path: '' })).entries.map((e: { name: string }) => e.name);
    expect(names).toEqual(expect.arrayContaining(['b.txt', 'c.txt']));
    expect(names).not.toContain('a.txt');
    expect(names).not.toContain('old');
    expect((await download(h, di.call, 'b.txt')).bytes.toString()).toBe('b');
  });
});

describe('nothing outside the home, whatever the name says', () => {
  it('refuses .., absolute paths, paths as names and links pointing out, each with its reason', async () => {
    const h = await harness();
    const eve = await signedIn(h, 'eve');
    await run(eve.call, 'os.symlink("/etc", "/home/blender/etc-link")\nos.makedirs("/home/blender/work")');
    const listed = (await eve.call('files.list', { path: '' })).entries.find((e: { name: string }) => e.name === 'etc-link');
    expect(listed).toMatchObject({ kind: 'link' });
    const refusals = {
      listUp: await errorOf(eve.call('files.list', { path: '../..' })),
      listAbsolute: await errorOf(eve.call('files.list', { path: '/etc' })),
      listThroughLink: await errorOf(eve.call('files.list', { path: 'etc-link' })),
      downloadUp: await errorOf(eve.call('files.download', { path: 'work/../../../etc/passwd' })),
      downloadThroughLink: await errorOf(eve.call('files.download', { path: 'etc-link/passwd' })),
      downloadLink: await errorOf(eve.call('files.download', { path: 'etc-link' })),
      uploadNameWithPath: await errorOf(eve.call('files.upload', { folder: '', name: '../evil.txt', bytes: 1 })),
      uploadNameDots: await errorOf(eve.call('files.upload', { folder: 'work', name: '..', bytes: 1 })),
      uploadIntoLink: await errorOf(eve.call('files.upload', { folder: 'etc-link', name: 'x.txt', bytes: 1 })),
      renameOut: await errorOf(eve.call('files.rename', { path: 'work', to: '../../tmp/work' })),
      deleteHome: await errorOf(eve.call('files.delete', { path: '.' })),
      deleteThroughLink: await errorOf(eve.call('files.delete', { path: 'etc-link/hostname' })),
      controlChars: await errorOf(eve.call('files.upload', { folder: '', name: 'a\nb', bytes: 1 })),
    };
    expect(refusals).toEqual({
      listUp: { code: 'INVALID_INPUT', message: '"../.." leads out of your home folder ("..")' },
      listAbsolute: { code: 'INVALID_INPUT', message: '"/etc" is an absolute path: paths are relative to your home folder' },
      listThroughLink: { code: 'INVALID_INPUT', message: '"etc-link" is a link; links are not followed, they may lead out of your home folder' },
      downloadUp: { code: 'INVALID_INPUT', message: '"work/../../../etc/passwd" leads out of your home folder ("..")' },
      downloadThroughLink: { code: 'INVALID_INPUT', message: '"etc-link" is a link; links are not followed, they may lead out of your home folder' },
      downloadLink: { code: 'INVALID_INPUT', message: '"etc-link" is a link; links are not followed, they may lead out of your home folder' },
      uploadNameWithPath: { code: 'INVALID_INPUT', message: '"../evil.txt" cannot contain "/": give a name, not a path' },
      uploadNameDots: { code: 'INVALID_INPUT', message: '".." is not a file name: names must stay inside your home folder' },
      uploadIntoLink: { code: 'INVALID_INPUT', message: '"etc-link" is a link; links are not followed, they may lead out of your home folder' },
      renameOut: { code: 'INVALID_INPUT', message: '"../../tmp/work" cannot contain "/": give a name, not a path' },
      deleteHome: { code: 'INVALID_INPUT', message: 'That is your home folder itself; choose a file or folder in it' },
      deleteThroughLink: { code: 'INVALID_INPUT', message: '"etc-link" is a link; links are not followed, they may lead out of your home folder' },
      controlChars: { code: 'INVALID_INPUT', message: 'Names cannot contain control characters' },
    });
    // /etc of the container is where it was.
    expect((await eve.call('blender.run', { code: 'import os\nprint(os.path.exists("/etc/hostname"))' })).output.trim()).toBe('True');
  });

  it('a download or upload link serves once, and a guessed one serves nothing', async () => {
    const h = await harness();
    const fay = await signedIn(h, 'fay');
    await run(fay.call, 'open("/home/blender/note.txt", "w").write("mine")');
    const ticket: TransferTicket = await fay.call('files.download', { path: 'note.txt' });
    expect(ticket.url).toMatch(/^\/transfer\/[A-Za-z0-9_-]{32}$/);
    expect((await h.files.transfer({ method: 'GET', pathname: ticket.url, contentLength: null, body: null })).status).toBe(200);
    const again = await h.files.transfer({ method: 'GET', pathname: ticket.url, contentLength: null, body: null });
    expect(again).toMatchObject({ status: 404, body: 'This transfer has expired or was already used: start it again from Files.' });
    expect((await h.files.transfer({ method: 'GET', pathname: '/transfer/guess', contentLength: null, body: null })).status).toBe(404);
  });
});

describe('upload limits', () => {
  it('refuses an upload over uploadLimitMiB before a byte is sent, and one that sends more than it announced', async () => {
    const h = await harness({ uploadLimitMiB: 1 });
    const gus = await signedIn(h, 'gus');
    expect(await errorOf(gus.call('files.upload', { folder: '', name: 'huge.bin', bytes: 3 * 1024 * 1024 }))).toEqual({
      code: 'INVALID_INPUT',
      message: 'huge.bin is 3.0 MiB; uploads are limited to 1 MiB each (setting uploadLimitMiB)',
    });
    await run(gus.call, 'open("/home/blender/keep.txt", "w").write("the original")');
    // Announces 10 bytes, then keeps sending: refused, and the file of that name is untouched.
    const liar = await upload(h, gus.call, '', 'keep.txt', Buffer.alloc(10), chunks(Buffer.alloc(900 * 1024), 64 * 1024));
    expect(liar).toMatchObject({ status: 400, body: 'The upload is larger than the 10 bytes it announced' });
    // Cut short: refused too, and nothing half-written is left behind.
    const cut = await upload(h, gus.call, '', 'keep.txt', Buffer.alloc(1000), chunks(Buffer.alloc(400)));
    expect(cut).toMatchObject({ status: 400, body: 'The upload ended after 400 of 1000 bytes' });
    expect((await download(h, gus.call, 'keep.txt')).bytes.toString()).toBe('the original');
    const names = (await gus.call('files.list', { path: '' })).entries.map((e: { name: string }) => e.name);
    expect(names.filter((n: string) => n.endsWith('.part'))).toEqual([]);
  });
});

describe('render', () => {
  it('renders the camera view into ~/renders, where Files lists it', async () => {
    const h = await harness();
    const hal = await signedIn(h, 'hal');
    await run(hal.call, 'r = bpy.context.scene.render\nr.resolution_x, r.resolution_y, r.resolution_percentage = 64, 36, 100\nbpy.context.scene.eevee.taa_render_samples = 1');
    const image = await hal.call('blender.render');
    expect(image).toMatchObject({ width: 64, height: 36 });
    expect(image.path).toMatch(/^renders\/Scene-\d{8}T\d{6}Z\.png$/);
    expect(Buffer.from(image.image_base64, 'base64').subarray(1, 4).toString()).toBe('PNG');
    const listed = (await hal.call('files.list', { path: 'renders' })).entries.map((e: { name: string }) => e.name);
    expect(listed).toContain(image.path.slice('renders/'.length));
    await run(hal.call, 'bpy.data.objects.remove(bpy.data.objects["Camera"])');
    expect(await errorOf(hal.call('blender.render'))).toEqual({ code: 'BLENDER_COMMAND_FAILED', message: 'The scene has no camera to render from: add one (Add > Camera) and try again' });
  });
});

describe('a person\'s own container is not believed', () => {
  it('answers from the panel\'s helper, not from a usercustomize.py or .pth file in the person\'s home', async () => {
    const h = await harness();
    const eve = await signedIn(h, 'eve');
    // Python runs usercustomize and .pth files of the user's site for every python3 run as them.
    await run(eve.call, [
      'import site',
      'd = site.getusersitepackages()',
      'os.makedirs(d, exist_ok=True)',
      'fake = \'import json, sys\\nprint(json.dumps({"path": "", "entries": [{"name": "PLANTED", "kind": "file", "bytes": 1, "modified": "2026-01-01T00:00:00Z"}]}))\\nsys.exit(0)\\n\'',
      'open(os.path.join(d, "usercustomize.py"), "w").write(fake)',
      'open(os.path.join(d, "planted.pth"), "w").write("import sys; print(\'{}\'); sys.exit(0)\\n")',
      'open("/home/blender/real.txt", "w").write("real")',
    ].join('\n'));
    const names = (await eve.call('files.list', { path: '' })).entries.map((e: { name: string }) => e.name);
    expect(names).toContain('real.txt');
    expect(names).not.toContain('PLANTED');
  });

  it('reads a 50 GiB sparse file as a stream with its true size, holding little of it, and cuts off output without end', async () => {
    const h = await harness();
    const eve = await signedIn(h, 'eve');
    await run(eve.call, 'with open("/home/blender/huge.bin", "wb") as f: f.truncate(50 * 1024 ** 3)');
    const listed = (await eve.call('files.list', { path: '' })).entries.find((e: { name: string }) => e.name === 'huge.bin');
    expect(listed).toMatchObject({ kind: 'file', bytes: 50 * 1024 ** 3 });
    expect(await errorOf(h.files.readBase64(h.accounts.listUsers().find((u) => u.username === 'eve')!.id, 'huge.bin'))).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('too large to show') });

    const rssBefore = process.memoryUsage().rss;
    const ticket: TransferTicket = await eve.call('files.download', { path: 'huge.bin' });
    const answer = await h.files.transfer({ method: 'GET', pathname: ticket.url, contentLength: null, body: null });
    // Sizes of 8 GiB and more come in a PAX header: the whole size, not 0.
    expect(answer.headers['Content-Length']).toBe(String(50 * 1024 ** 3));
    let read = 0;
    let zeros = true;
    for await (const part of answer.body as AsyncIterable<Buffer>) {
      read += part.length;
      zeros &&= part.every((b) => b === 0);
      if (read >= 512 * 1024 * 1024) break; // a person who took half a gigabyte and cancelled
    }
    expect(zeros).toBe(true);
    expect(read).toBeGreaterThanOrEqual(512 * 1024 * 1024);

    const container = h.sessions.get(h.accounts.listUsers().find((u) => u.username === 'eve')!.id)!.containerName;
    expect(await errorOf(engine.containers.exec(container, ['sh', '-c', 'yes "output without end"']))).toMatchObject({ message: expect.stringContaining('printed more than') });
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  });
});

describe('transfers waiting to start', () => {
  it('are capped per person, so one person asking for many holds up nobody else, and end with the person\'s sign-out', async () => {
    const h = await harness();
    const ada = await signedIn(h, 'ada');
    const bob = await signedIn(h, 'bob');
    await run(ada.call, 'open("/home/blender/a.txt", "w").write("ada")');
    await run(bob.call, 'open("/home/blender/b.txt", "w").write("bob")');
    const adas: TransferTicket[] = [];
    let refusal: { code: string; message: string } | null = null;
    for (let i = 0; i < 200 && !refusal; i++) {
      refusal = await errorOf(ada.call('files.download', { path: 'a.txt' }).then((t: TransferTicket) => void adas.push(t)));
    }
    expect(refusal).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('You have 20 transfers waiting to start') });
    expect(adas).toHaveLength(20);
    const bobs = await download(h, bob.call, 'b.txt');
    expect(bobs.bytes.toString()).toBe('bob');

    // Her sign-in ends (idle), her Blender runs on: what she asked for is no longer anyone's to fetch.
    h.accounts.signIns.endAllFor(h.accounts.listUsers().find((u) => u.username === 'ada')!.id, 'idle');
    const late = await h.files.transfer({ method: 'GET', pathname: adas[0]!.url, contentLength: null, body: null });
    expect(late).toMatchObject({ status: 404, body: 'This transfer has expired or was already used: start it again from Files.' });
  });
});

