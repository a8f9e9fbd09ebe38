import zlib from 'node:zlib';

/** Small real asset files made in the test, in the formats PolyHaven serves. */

/** A Radiance HDR (flat scanlines) of one colour, as Blender reads it. */
export function radianceHdr(width: number, height: number, rgbe: [number, number, number, number] = [200, 160, 120, 129]): Buffer {
  const header = Buffer.from(`#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y ${height} +X ${width}\n`, 'ascii');
  const pixels = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) pixels.set(rgbe, i * 4);
  return Buffer.concat([header, pixels]);
}

/** An 8-bit RGB PNG of one colour, or running from `rgb` at the top to `bottom` at the bottom. */
export function png(width: number, height: number, rgb: [number, number, number], bottom: [number, number, number] = rgb): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rowAt = (y: number) => {
    const t = height > 1 ? y / (height - 1) : 0;
    const colour = rgb.map((c, i) => Math.round(c + (bottom[i]! - c) * t));
    return Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3).map((_, i) => colour[i % 3]!)]);
  };
  const raw = Buffer.concat(Array.from({ length: height }, (_, y) => rowAt(y)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A glTF 2.0 of one textured triangle named `name`, its buffer inline, its texture at `texturePath` beside it. */
export function triangleGltf(name: string, texturePath: string): Buffer {
  const positions = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]);
  const uvs = new Float32Array([0, 0, 1, 0, 0, 1]);
  const data = Buffer.concat([Buffer.from(positions.buffer), Buffer.from(uvs.buffer)]);
  const gltf = {
    asset: { version: '2.0', generator: 'blender-lab tests' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, name }],
    meshes: [{ name, primitives: [{ attributes: { POSITION: 0, TEXCOORD_0: 1 }, material: 0 }] }],
    materials: [{ name: `${name}_material`, pbrMetallicRoughness: { baseColorTexture: { index: 0 } } }],
    textures: [{ source: 0 }],
    images: [{ uri: texturePath }],
    buffers: [{ byteLength: data.length, uri: `data:application/octet-stream;base64,${data.toString('base64')}` }],
    bufferViews: [
      { buffer: 0, byteOffset: 0, byteLength: 36 },
      { buffer: 0, byteOffset: 36, byteLength: 24 },
    ],
    accessors: [
      { bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] },
      { bufferView: 1, componentType: 5126, count: 3, type: 'VEC2' },
    ],
  };
  return Buffer.from(JSON.stringify(gltf));
}

/** A binary glTF (.glb) as generators send them: an empty node `Root` with one triangle mesh under it. */
export function triangleGlb(): Buffer {
  const data = Buffer.from(new Float32Array([0, 0, 0, 2, 0, 0, 0, 1, 0]).buffer);
  const json = {
    asset: { version: '2.0', generator: 'blender-lab tests' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ name: 'Root', children: [1], translation: [0, 0, 3] }, { name: 'geometry_0', mesh: 0 }],
    meshes: [{ name: 'geometry_0', primitives: [{ attributes: { POSITION: 0 } }] }],
    buffers: [{ byteLength: data.length }],
    bufferViews: [{ buffer: 0, byteOffset: 0, byteLength: data.length }],
    accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [2, 1, 0] }],
  };
  const pad = (b: Buffer, fill: number) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4, fill)]);
  const jsonChunk = pad(Buffer.from(JSON.stringify(json)), 0x20);
  const binChunk = pad(data, 0);
  const chunk = (type: number, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(body.length, 0);
    head.writeUInt32LE(type, 4);
    return Buffer.concat([head, body]);
  };
  const body = Buffer.concat([chunk(0x4e4f534a, jsonChunk), chunk(0x004e4942, binChunk)]);
  const header = Buffer.alloc(12);
  header.write('glTF', 0, 'ascii');
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(12 + body.length, 8);
  return Buffer.concat([header, body]);
}
