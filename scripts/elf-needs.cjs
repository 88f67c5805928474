// What an ELF object asks of the dynamic loader (`readelf -d`, without binutils): the shared
// libraries it names (DT_NEEDED) and whether it needs symbol versions (DT_VERNEED), so the checks
// can prove the signal shim is tied to no C library. 64-bit little-endian objects (x64, arm64).
'use strict';
const fs = require('node:fs');

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_VERNEED = 0x6ffffffen;

/** { needed: string[], versioned: boolean }; an object without a dynamic section needs nothing. */
function elfNeeds(file) {
  const b = fs.readFileSync(file);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file}: not an ELF object`);
  if (b[4] !== 2 || b[5] !== 1) throw new Error(`${file}: not a 64-bit little-endian ELF object`);
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  const phnum = b.readUInt16LE(0x38);
  const loads = [];
  let dynamic;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    const segment = { type: b.readUInt32LE(at), offset: Number(b.readBigUInt64LE(at + 8)), vaddr: Number(b.readBigUInt64LE(at + 16)), size: Number(b.readBigUInt64LE(at + 32)) };
    if (segment.type === PT_LOAD) loads.push(segment);
    if (segment.type === PT_DYNAMIC) dynamic = segment;
  }
  if (!dynamic) return { needed: [], versioned: false };
  const entries = [];
  for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.size; at += 16) {
    const tag = b.readBigInt64LE(at);
    if (tag === DT_NULL) break;
    entries.push([tag, Number(b.readBigUInt64LE(at + 8))]);
  }
  const strtabAddr = entries.find(([tag]) => tag === DT_STRTAB)?.[1];
  const load = loads.find((l) => strtabAddr >= l.vaddr && strtabAddr < l.vaddr + l.size);
  const strtab = load ? strtabAddr - load.vaddr + load.offset : 0;
  const string = (off) => b.toString('latin1', strtab + off, b.indexOf(0, strtab + off));
  return {
    needed: entries.filter(([tag]) => tag === DT_NEEDED).map(([, off]) => string(off)),
    versioned: entries.some(([tag]) => tag === DT_VERNEED),
  };
}

module.exports = { elfNeeds };
