// A streaming zip writer for generated parking ZIPs: each entry's bytes are deflated as they are produced and
// written straight to a file (local headers with a data descriptor, bit 3), so a generated 2.2 M-row year never sits
// in memory. No zip64: an entry stays under 4 GiB.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { constants, crc32, createDeflateRaw } from 'node:zlib';

export interface ZipEntryInput {
  name: string;
  chunks: Iterable<Buffer>;
}

export async function writeZipFile(path: string, entries: Iterable<ZipEntryInput>): Promise<void> {
  const out = createWriteStream(path);
  let offset = 0;
  const write = async (b: Buffer) => {
    offset += b.length;
    if (!out.write(b)) await once(out, 'drain');
  };
  const central: Buffer[] = [];
  let count = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const start = offset;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0008, 6); // sizes and CRC follow the data
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(name.length, 26);
    await write(local);
    await write(name);
    let crc = 0;
    let size = 0;
    let packed = 0;
    const deflate = createDeflateRaw({ level: 6 });
    const pending: Buffer[] = [];
    deflate.on('data', (b: Buffer) => pending.push(b));
    const drainDeflated = async () => {
      while (pending.length) {
        const b = pending.shift()!;
        packed += b.length;
        await write(b);
      }
    };
    for (const chunk of e.chunks) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      deflate.write(chunk);
      await new Promise<void>((r) => deflate.flush(constants.Z_SYNC_FLUSH, () => r()));
      await drainDeflated();
    }
    deflate.end();
    await once(deflate, 'end');
    await drainDeflated();
    const desc = Buffer.alloc(16);
    desc.writeUInt32LE(0x08074b50, 0);
    desc.writeUInt32LE(crc >>> 0, 4);
    desc.writeUInt32LE(packed, 8);
    desc.writeUInt32LE(size, 12);
    await write(desc);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x0008, 8);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(crc >>> 0, 16);
    c.writeUInt32LE(packed, 20);
    c.writeUInt32LE(size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(start, 42);
    central.push(c, name);
    count++;
  }
  const cd = Buffer.concat(central);
  const cdStart = offset;
  await write(cd);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(cdStart, 16);
  await write(end);
  out.end();
  await once(out, 'finish');
}
