// Hostile zips for tests, built without ever holding what they inflate to: a zero bomb of any declared size, and a
// one-entry zip whose header says whatever the test wants (a bomb need not tell the truth).
import { constants, deflateRawSync } from 'node:zlib';

const MiB = 1024 * 1024;

/** A raw deflate stream of `mib` MiB of zeros (about 1 KB per MiB): sync-flushed 1 MiB segments, then a final block. */
export function deflatedZeros(mib: number): Buffer {
  const segment = deflateRawSync(Buffer.alloc(MiB), { finishFlush: constants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array.from({ length: mib }, () => segment), Buffer.from([0x03, 0x00])]);
}

/** A one-entry zip of already-deflated data whose header declares `declared` inflated bytes and the given CRC. */
export function zipOfDeflated(name: string, packed: Buffer, declared: number, crc = 0): Buffer {
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(declared, 24);
  central.writeUInt16LE(n.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + n.length, 12);
  end.writeUInt32LE(30 + n.length + packed.length, 16);
  return Buffer.concat([local, n, packed, central, n, end]);
}

/** A zip of one CSV entry that declares (honestly) `gib` GiB of zeros, about 1 MB per GiB on the wire. */
export const zeroBomb = (name: string, gib = 1): Buffer => zipOfDeflated(name, deflatedZeros(gib * 1024), gib * 1024 * MiB);
