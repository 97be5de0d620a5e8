// A set of byte strings looked up where they lie in their buffers, without a JavaScript string per entry. The Toronto
// sink checks every ticket's 32-byte hash against those already written in its batch (~70 k a batch, 2.2 M a year):
// a Set<string> made a string of each hash, hashed it and probed a large table of them — about a fifth of the sink's
// per-ticket work. Here a hash of the bytes probes an Int32Array; entries are compared by that hash first, then by
// their bytes.

export class ByteSet {
  private slots: Int32Array;
  private readonly bufs: Buffer[] = [];
  private readonly starts: number[] = [];
  private readonly lens: number[] = [];
  private readonly hashes: number[] = [];

  constructor(capacity = 1024) {
    let n = 16;
    while (n < 2 * capacity) n *= 2;
    this.slots = new Int32Array(n);
  }

  get size(): number {
    return this.bufs.length;
  }

  /**
   * Adds the `len` bytes at `start` of `buf`, kept by reference (they must not change while the set is used); false
   * when the same bytes are in the set already.
   */
  add(buf: Buffer, start: number, len: number): boolean {
    const h = hashOf(buf, start, len);
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = this.slots[i]!;
      if (e === 0) {
        this.bufs.push(buf);
        this.starts.push(start);
        this.lens.push(len);
        this.hashes.push(h);
        this.slots[i] = this.bufs.length;
        // At most half full: linear probing stays short.
        if (2 * this.bufs.length > this.slots.length) this.grow();
        return true;
      }
      const j = e - 1;
      if (this.hashes[j] === h && this.lens[j] === len && this.bufs[j]!.compare(buf, start, start + len, this.starts[j], this.starts[j]! + len) === 0) return false;
    }
  }

  /** Whether the `len` bytes at `start` of `buf` are in the set. */
  has(buf: Buffer, start: number, len: number): boolean {
    const h = hashOf(buf, start, len);
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = this.slots[i]!;
      if (e === 0) return false;
      const j = e - 1;
      if (this.hashes[j] === h && this.lens[j] === len && this.bufs[j]!.compare(buf, start, start + len, this.starts[j], this.starts[j]! + len) === 0) return true;
    }
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let j = 0; j < this.hashes.length; j++) {
      let i = this.hashes[j]! & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = j + 1;
    }
    this.slots = slots;
  }
}

/** FNV-1a over the bytes, finished with a multiply-xorshift so that the low bits (the slot) depend on every byte. */
function hashOf(buf: Buffer, start: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < start + len; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
