/** Just enough of the tar format to hand Docker one small file and read one back. */

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

export function tarOneFile(name: string, data: Buffer, opts: { mode: number; uid: number; gid: number; mtime?: Date }): Buffer {
  if (Buffer.byteLength(name) > 99) throw new Error(`tar entry name too long: ${name}`);
  const header = Buffer.alloc(BLOCK, 0);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(opts.mode, 8), 100, 8, 'ascii');
  header.write(octal(opts.uid, 8), 108, 8, 'ascii');
  header.write(octal(opts.gid, 8), 116, 8, 'ascii');
  header.write(octal(data.length, 12), 124, 12, 'ascii');
  header.write(octal(Math.floor((opts.mtime ?? new Date()).getTime() / 1000), 12), 136, 12, 'ascii');
  header.write('        ', 148, 8, 'ascii'); // checksum is computed with its own field as spaces
  header.write('0', 156, 1, 'ascii'); // regular file
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  const padding = Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK, 0);
  return Buffer.concat([header, data, padding, Buffer.alloc(BLOCK * 2, 0)]);
}

/** The content of the first regular file in a tar archive, or null if there is none. */
export function untarFirstFile(archive: Buffer): Buffer | null {
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return null;
    const size = Number.parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0x30);
    const start = offset + BLOCK;
    if (type === '0' || type === '\0') return archive.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return null;
}
