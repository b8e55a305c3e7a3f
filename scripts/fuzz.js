#!/usr/bin/env node
'use strict';
// `npm run fuzz`: mutates Python sources and checkpoint files and checks what must hold on any input (issue 13):
// no crash, hang or unhandled rejection; every finding's range inside the file; a fix of a cleanly parsed file
// parses cleanly and a second --fix changes nothing; `inspectCheckpoint` within its bounds, and never `safe` for a
// file in which any reading (every zip member that looks like a pickle, local headers and central directory alike,
// truncated deflate streams, tar members, the file from byte 0) names a global outside torch's allowlist.
//
// Inputs are generated here from a seeded PRNG (input i of seed S is always the same bytes) and written under
// os.tmpdir(); each runs in a child worker (the built dist/, in-process there) with a time limit: a worker that does
// not answer in time is killed and the input counted as a hang. Failing inputs are saved under --out.
const { fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { parseArgs } = require('node:util');

const root = path.join(__dirname, '..');
const DIST = path.join(root, 'dist', 'src');

const HELP = `Usage: npm run fuzz -- [options]
       node scripts/fuzz.js [options]

Mutates the Python test corpora (test/fixtures, examples/demo_project, the code snippets of test/rules, generated
shapes) and checkpoint files (test/fixtures/checkpoints and generated hostile ones), runs the built pylint-torch
(dist/: run 'npm run build' first) on each in a child worker, and checks:
  source      no crash, hang or unhandled rejection; every finding's and fix's range inside the file; when the
              input parsed cleanly, every --fix result (safe, or with --unsafe-fixes) parses cleanly and a second
              --fix changes nothing
  checkpoint  no crash, hang or bound exceeded (time, memory); never 'safe' when any reading of the file names a
              global outside torch's allowlist
Prints the seed and a table per mutation kind: inputs, crashes, hangs, wrong results.

Options:
  --minutes <n>     run for this many minutes (default: 1, unless --inputs is given)
  --inputs <n>      run this many inputs (split between sources and checkpoints), then stop
  --seed <n>        PRNG seed (default: from the clock; printed either way)
  --only <kinds>    source, checkpoint, or a comma-separated list of mutation kinds
  --timeout <s>     seconds one input may take before it counts as a hang (default: 30)
  --out <dir>       where failing inputs are saved (default: the system's temp folder)
  --keep <dir>      also write every generated checkpoint there (input for scripts/oracle.py)
  --json <file>     write the summary and failures as JSON
  -h, --help        show this help

Exit code: 0 when nothing failed, 1 when an input failed, 2 for a usage error.
`;

// ---------------------------------------------------------------------------------------------------------------
// PRNG: mulberry32; input i of seed S draws from its own generator, so one input can be rebuilt alone
// ---------------------------------------------------------------------------------------------------------------

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rngFor(seed, index) {
  const r = mulberry32((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const rng = {
    next: r,
    int: (n) => Math.floor(r() * n),
    pick: (list) => list[Math.floor(r() * list.length)],
    chance: (p) => r() < p,
  };
  return rng;
}

// ---------------------------------------------------------------------------------------------------------------
// Python corpus and mutations
// ---------------------------------------------------------------------------------------------------------------

function listFiles(dir, test) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, test));
    else if (entry.isFile() && test(entry.name)) out.push(full);
  }
  return out.sort();
}

/** The single-quoted JS strings of test/rules/*.test.ts that read as Python with torch in them (a light extraction). */
function ruleTestSnippets() {
  const snippets = [];
  for (const file of listFiles(path.join(root, 'test', 'rules'), (n) => n.endsWith('.test.ts'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/'((?:[^'\\\n]|\\.)*)'/g)) {
      if (!m[1].includes('\\n') || !/torch|pickle/.test(m[1])) continue;
      try {
        snippets.push(JSON.parse(`"${m[1].replace(/\\'/g, "'").replace(/"/g, '\\"')}"`));
      } catch {
        // an escape JSON lacks (\x41): skipped
      }
    }
  }
  return snippets;
}

const CALLEES = ['torch.load', 'torch.hub.load_state_dict_from_url', 'pickle.load', 'pickle.loads', 'load', 'th.load'];
const ARGS = [
  '"a.pt"',
  'path',
  'sys.argv[1]',
  'f',
  'map_location="cpu"',
  'weights_only=True',
  'weights_only=False',
  'weights_only=flag',
  'weights_only=None',
  '**kw',
  '*args',
  'pickle_module=pickle',
  'mmap=True',
];

/** A Python shape written here: imports, loads with random arguments, saves, safe_globals blocks, functions. */
function generatedSource(rng) {
  const lines = [rng.pick(['import torch', 'import torch as th', 'from torch import load', 'import torch, pickle, sys'])];
  if (rng.chance(0.3)) lines.push('from torch.serialization import safe_globals, add_safe_globals');
  const n = 1 + rng.int(6);
  for (let i = 0; i < n; i++) {
    const args = Array.from({ length: rng.int(4) }, () => rng.pick(ARGS));
    const call = `${rng.pick(CALLEES)}(${args.join(', ')})`;
    switch (rng.int(6)) {
      case 0:
        lines.push(`sd = ${call}`, 'model.load_state_dict(sd)');
        break;
      case 1:
        lines.push(`def restore(path, **kw):`, `    return ${call}`);
        break;
      case 2:
        lines.push('with safe_globals([argparse.Namespace]):', `    ckpt = ${call}`);
        break;
      case 3:
        lines.push(`torch.save(model${rng.chance(0.5) ? '.state_dict()' : ''}, "m.pt")`);
        break;
      case 4:
        lines.push(`x = ${call}["model"]`);
        break;
      default:
        lines.push(call);
    }
  }
  return lines.join('\n') + '\n';
}

/** Applies one named mutation to a Python text (as bytes: some mutations make invalid UTF-8 or other encodings). */
const SOURCE_MUTATIONS = {
  lines(rng, text) {
    const lines = text.split('\n');
    for (let k = 1 + rng.int(3); k > 0 && lines.length; k--) {
      const i = rng.int(lines.length);
      const op = rng.int(3);
      if (op === 0) lines.splice(i, 1);
      else if (op === 1) lines.splice(i, 0, lines[rng.int(lines.length)]);
      else lines.splice(i, 1, ' '.repeat(rng.int(9)) + lines[i]);
    }
    return Buffer.from(lines.join('\n'));
  },
  bytes(rng, text) {
    const buf = Buffer.from(text);
    if (!buf.length) return Buffer.from([rng.int(256)]);
    for (let k = 1 + rng.int(4); k > 0; k--) buf[rng.int(buf.length)] = rng.int(256);
    return buf;
  },
  'torch-load'(rng, text) {
    const at = rng.int(text.length + 1);
    const insert = rng.pick(['torch.load(', 'torch.load(f)', 'torch.load(x, ', ')', 'torch.load(torch.load(', '\ntorch.load(sys.argv[1], weights_only=False)\n']);
    return Buffer.from(text.slice(0, at) + insert + text.slice(at));
  },
  'weights-only'(rng, text) {
    const value = rng.pick(['True', 'False', 'None', '0', '1', 'x', '', 'True,', '(', 'not True', '"True"']);
    const replaced = text.replace(/weights_only\s*=\s*[A-Za-z0-9_"']*/g, () => (rng.chance(0.5) ? `weights_only=${value}` : ''));
    if (replaced !== text) return Buffer.from(replaced);
    return Buffer.from(text.replace(/torch\.load\(/g, () => `torch.load(weights_only=${value}, `));
  },
  quotes(rng, text) {
    const at = rng.int(text.length + 1);
    return Buffer.from(text.slice(0, at) + rng.pick(['"', "'", '"""', "'''", 'f"', 'rb"', '"\\']) + text.slice(at));
  },
  backslashes(rng, text) {
    const lines = text.split('\n');
    const i = rng.int(lines.length);
    lines[i] += rng.pick(['\\', ' \\', '\\\\', '\\\r']);
    return Buffer.from(lines.join('\n'));
  },
  nul(rng, text) {
    const at = rng.int(text.length + 1);
    return Buffer.from(text.slice(0, at) + '\0'.repeat(1 + rng.int(3)) + text.slice(at));
  },
  bom(rng, text) {
    const boms = [[0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff], [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]];
    const bom = Buffer.from(rng.pick(boms));
    return rng.chance(0.8) ? Buffer.concat([bom, Buffer.from(text)]) : Buffer.from(text.replace('\n', `\n${bom.toString('latin1')}`), 'latin1');
  },
  cr(rng, text) {
    const style = rng.pick(['\r', '\r\n', 'mixed']);
    return Buffer.from(text.replace(/\n/g, () => (style === 'mixed' ? rng.pick(['\r', '\r\n', '\n']) : style)));
  },
  nesting(rng, text) {
    const depth = rng.pick([50, 200, 500, 1000, 3000]);
    const shape = rng.int(4);
    let deep;
    if (shape === 0) deep = `x = ${'torch.load('.repeat(depth)}"a.pt"${')'.repeat(depth)}\n`;
    else if (shape === 1) deep = `x = ${'['.repeat(depth)}torch.load(p)${']'.repeat(depth)}\n`;
    else if (shape === 2)
      deep = Array.from({ length: Math.min(depth, 100) }, (_, i) => `${' '.repeat(i)}if a:\n`).join('') + `${' '.repeat(Math.min(depth, 100))}torch.load(p)\n`;
    else deep = `x = ${'f('.repeat(depth)}torch.load(p, weights_only=False)${')'.repeat(rng.chance(0.8) ? depth : rng.int(depth))}\n`;
    const lines = text.split('\n');
    lines.splice(rng.int(lines.length + 1), 0, deep);
    return Buffer.from(lines.join('\n'));
  },
  'attr-chain'(rng, text) {
    const n = rng.pick([100, 1000, 5000]);
    const chain = `x = torch${'.a'.repeat(n)}.f()\ntorch.load(sys.argv[1], weights_only=False)\n`;
    return Buffer.from(rng.chance(0.5) ? chain + text : text + chain);
  },
  truncate(rng, text) {
    const buf = Buffer.from(text);
    return buf.subarray(0, rng.int(buf.length + 1));
  },
  encoding(rng, text) {
    const ascii = text.replace(/[^\x00-\x7f]/g, '?');
    const choice = rng.int(6);
    if (choice === 0) return Buffer.from(`# -*- coding: latin-1 -*-\n${ascii}# caf\xe9\n`, 'latin1');
    if (choice === 1) return Buffer.from(`# coding=cp1252\n${ascii}s = "\x80"\n`, 'latin1');
    if (choice === 2) return Buffer.from(`# vim: set fileencoding=${rng.pick(['cp437', 'cp850', 'utf-7', 'idna', 'iso2022_jp', 'euc-jp'])} :\n${ascii}`);
    if (choice === 3) return Buffer.from(`# coding: no-such-codec\n${ascii}`);
    if (choice === 4) return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ascii, 'utf16le')]);
    return Buffer.from(`#!/usr/bin/env python\n# coding: utf-8\n${text}\u00e9\u212a\n`);
  },
  splice(rng, text, corpus) {
    const other = rng.pick(corpus);
    const a = rng.int(text.length + 1);
    const b = rng.int(other.length + 1);
    return Buffer.from(text.slice(0, a) + other.slice(b));
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Checkpoints: a pickle builder, a zip writer, a tar writer, and mutations
// ---------------------------------------------------------------------------------------------------------------

const ALLOWED_NAMES = ['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch.FloatStorage'];
const CODE_RUNNERS = [
  'posix.system',
  'os.system',
  'builtins.eval',
  'builtins.exec',
  '__builtin__.eval',
  'subprocess.Popen',
  'imaplib.IMAP4_stream',
  'torch.fx.graph_module.reduce_graph_module',
  '_operator.attrgetter',
  'pydoc.importfile',
  'gzip.GzipFile',
  'myapp.models.Net',
  'torch.serialization.pickle.loads',
];

function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/** A protocol-2 (or 0/4) pickle of `{"state": OrderedDict(), "cfg": G(args)}`, `G` named the way `how` says. */
function picklePayload(rng, name) {
  const dot = name.lastIndexOf('.');
  const mod = name.slice(0, dot);
  const attr = name.slice(dot + 1);
  const parts = [];
  const proto = rng.pick([0, 2, 2, 2, 4]);
  if (proto) parts.push(Buffer.from([0x80, proto]));
  parts.push(Buffer.from('}', 'latin1')); // EMPTY_DICT
  parts.push(Buffer.from('X', 'latin1'), u32(5), Buffer.from('state', 'latin1')); // BINUNICODE "state"
  parts.push(Buffer.from('ccollections\nOrderedDict\n)R', 'latin1')); // GLOBAL, EMPTY_TUPLE, REDUCE
  parts.push(Buffer.from('s', 'latin1')); // SETITEM
  parts.push(Buffer.from('X', 'latin1'), u32(3), Buffer.from('cfg', 'latin1'));
  const how = rng.int(proto >= 4 ? 6 : 5);
  const escape = (s) => s.replace(/[a-z]/, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (how === 0) parts.push(Buffer.from(`c${mod}\n${attr}\n`, 'latin1'));
  else if (how === 1) parts.push(Buffer.from(`(i${mod}\n${attr}\n`, 'latin1')); // INST: called on the spot
  else if (how === 2) parts.push(Buffer.from(`V${escape(mod)}\nV${escape(attr)}\n\x93`, 'latin1')); // protocol-0 UNICODE, STACK_GLOBAL
  else if (how === 3) parts.push(Buffer.from(`X`, 'latin1'), u32(mod.length), Buffer.from(mod, 'latin1'), Buffer.from('q\x01', 'latin1'), Buffer.from('X', 'latin1'), u32(attr.length), Buffer.from(attr, 'latin1'), Buffer.from('0h\x01X', 'latin1'), u32(attr.length), Buffer.from(`${attr}\x93`, 'latin1')); // memo trick
  else if (how === 4) parts.push(Buffer.from(`S'${mod}'\nS'${attr}'\n\x93`, 'latin1'));
  else parts.push(Buffer.from('\x8c', 'latin1'), Buffer.from([mod.length]), Buffer.from(mod, 'latin1'), Buffer.from('\x8c', 'latin1'), Buffer.from([attr.length]), Buffer.from(attr, 'latin1'), Buffer.from('\x93', 'latin1'));
  if (how !== 1) parts.push(Buffer.from('X', 'latin1'), u32(4), Buffer.from('true', 'latin1'), Buffer.from('\x85R', 'latin1')); // TUPLE1, REDUCE
  parts.push(Buffer.from('s.', 'latin1')); // SETITEM, STOP
  return Buffer.concat(parts);
}

function safePickle() {
  return Buffer.from('\x80\x02}X\x05\x00\x00\x00stateccollections\nOrderedDict\n)Rs.', 'latin1');
}

/** A zip of `entries` ({name: Buffer of raw name bytes, data, deflate?, utf8Flag?}); options for tricks. */
function writeZip(entries, { comment = Buffer.alloc(0), trailing = Buffer.alloc(0) } = {}) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const e of entries) {
    const stored = e.deflate ? zlib.deflateRawSync(e.data) : e.data;
    const crc = zlib.crc32 ? zlib.crc32(e.data) : 0;
    const flags = e.utf8Flag ? 0x800 : 0;
    const method = e.deflate ? 8 : 0;
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(flags, 6);
    head.writeUInt16LE(method, 8);
    head.writeUInt32LE(crc >>> 0, 14);
    head.writeUInt32LE(stored.length, 18);
    head.writeUInt32LE(e.data.length, 22);
    head.writeUInt16LE(e.name.length, 26);
    locals.push(head, e.name, stored);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(flags, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt32LE(crc >>> 0, 16);
    cd.writeUInt32LE(stored.length, 20);
    cd.writeUInt32LE(e.data.length, 24);
    cd.writeUInt16LE(e.name.length, 28);
    cd.writeUInt32LE(offset, 42);
    centrals.push(cd, e.name);
    offset += 30 + e.name.length + stored.length;
  }
  const cdBuf = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...locals, cdBuf, end, comment, trailing]);
}

/** Name tricks from issue 13: case, a KELVIN SIGN, the UTF-8 flag on CP437 bytes, TorchScript's constants.pkl. */
function trickName(rng, stem, member) {
  const name = `${stem}/${member}`;
  switch (rng.int(7)) {
    case 0:
      return { name: Buffer.from(name.toUpperCase()) };
    case 1:
      return { name: Buffer.from(name.replace('k', '\u212a')), utf8Flag: true };
    case 2:
      return { name: Buffer.from(name.replace('k', '\u212a')), utf8Flag: false };
    case 3:
      return { name: Buffer.from(`${stem}\x00x/${member}`, 'latin1') };
    case 4:
      return { name: Buffer.from(`./${name}`) };
    case 5:
      return { name: Buffer.from(`${stem}/../${name}`) };
    default:
      return { name: Buffer.from(`${stem}2/${member}`) };
  }
}

function tarHeader(name, size) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'latin1');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\x0000', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

function writeTar(members) {
  const parts = [];
  for (const { name, data } of members) {
    parts.push(tarHeader(name, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const LEGACY_HEAD = Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);

/** A hostile (or harmless) checkpoint built here: torch zips with name tricks, legacy files, tars, polyglots. */
function generatedCheckpoint(rng) {
  const evil = rng.chance(0.7) ? rng.pick(CODE_RUNNERS) : rng.pick(ALLOWED_NAMES);
  const payload = evil.startsWith('collections') ? safePickle() : picklePayload(rng, evil);
  const stem = rng.pick(['archive', 'model', 'x']);
  const shape = rng.int(6);
  if (shape <= 2) {
    const entries = [];
    const decoy = { name: Buffer.from(`${stem}/data.pkl`), data: safePickle() };
    const hidden = { ...trickName(rng, stem, rng.pick(['data.pkl', 'constants.pkl', 'extra.pkl'])), data: payload, deflate: rng.chance(0.3) };
    if (shape === 0) entries.push(decoy, hidden);
    else if (shape === 1) entries.push(hidden, decoy);
    else entries.push({ name: Buffer.from(`${stem}/data.pkl`), data: payload, deflate: rng.chance(0.5) });
    entries.push({ name: Buffer.from(`${stem}/version`), data: Buffer.from('3\n') });
    if (rng.chance(0.3)) entries.push({ name: Buffer.from(`${stem}/data/0`), data: Buffer.alloc(16, rng.int(256)) });
    const options = {};
    if (rng.chance(0.2)) options.comment = Buffer.alloc(rng.pick([10, 65535]), 0x20);
    if (rng.chance(0.2)) options.trailing = Buffer.concat([Buffer.from('PK\x03\x04'), payload]);
    return writeZip(entries, options);
  }
  if (shape === 3) return Buffer.concat([LEGACY_HEAD, Buffer.from('\x80\x02M\xe9\x03.', 'latin1'), Buffer.from('\x80\x02}.', 'latin1'), payload, Buffer.from('\x80\x02].', 'latin1')]);
  if (shape === 4)
    return writeTar([
      { name: 'sys_info', data: Buffer.from('\x80\x02}.', 'latin1') },
      { name: 'pickle', data: payload },
      { name: 'storages', data: Buffer.from('\x80\x02K\x00.', 'latin1') },
      { name: 'tensors', data: Buffer.from('\x80\x02K\x00.', 'latin1') },
    ]);
  // a safetensors header whose length bytes also start a pickle, with the payload far away
  const pad = rng.pick([16, 1024 * 1024 + 16]);
  const header = Buffer.from(JSON.stringify({ __metadata__: { x: 'y' } }));
  const lenBytes = Buffer.alloc(8);
  lenBytes.writeBigUInt64LE(BigInt(header.length));
  return rng.chance(0.5)
    ? Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('B'), u32(pad), Buffer.alloc(pad), Buffer.from('0'), payload])
    : Buffer.concat([lenBytes, header, Buffer.alloc(pad), payload]);
}

const CHECKPOINT_MUTATIONS = {
  'ckpt-bytes'(rng, buf) {
    const out = Buffer.from(buf);
    for (let k = 1 + rng.int(8); k > 0 && out.length; k--) out[rng.int(out.length)] = rng.int(256);
    return out;
  },
  'ckpt-truncate'(rng, buf) {
    return buf.subarray(0, rng.int(buf.length + 1));
  },
  'ckpt-insert'(rng, buf) {
    const at = rng.int(buf.length + 1);
    const insert = rng.pick([Buffer.from('cposix\nsystem\n'), Buffer.from('PK\x05\x06'), Buffer.from('PK\x01\x02'), Buffer.from([0x2e]), Buffer.alloc(rng.int(64), rng.int(256))]);
    return Buffer.concat([buf.subarray(0, at), insert, buf.subarray(at)]);
  },
  'ckpt-names'(rng, buf) {
    // rewrite member names in place (local headers and central directory alike, or only one of them)
    const out = Buffer.from(buf);
    const which = rng.pick(['both', 'local', 'central']);
    for (const [sig, lenAt, nameAt] of [
      [0x04034b50, 26, 30],
      [0x02014b50, 28, 46],
    ]) {
      if ((sig === 0x04034b50 && which === 'central') || (sig === 0x02014b50 && which === 'local')) continue;
      for (let i = out.indexOf('PK'); i >= 0 && i + nameAt <= out.length; i = out.indexOf('PK', i + 1)) {
        if (out.readUInt32LE(i) !== sig) continue;
        const n = out.readUInt16LE(i + lenAt);
        const name = out.subarray(i + nameAt, i + nameAt + n);
        const op = rng.int(4);
        if (op === 0) for (let j = 0; j < name.length; j++) name[j] = name[j] >= 0x61 && name[j] <= 0x7a && rng.chance(0.5) ? name[j] - 32 : name[j];
        else if (op === 1 && name.length) name[rng.int(name.length)] = rng.pick([0x00, 0x2f, 0x5c, 0x80, 0xe9, 0x4b]);
        else if (op === 2 && sig === 0x02014b50) out.writeUInt16LE(out.readUInt16LE(i + 8) ^ 0x800, i + 8);
        else if (op === 3) {
          const dataPkl = Buffer.from('constants.pkl').subarray(0, Math.min(13, name.length));
          dataPkl.copy(name, Math.max(0, name.length - dataPkl.length));
        }
      }
    }
    return out;
  },
  'ckpt-member'(rng, buf) {
    // replace the allowlisted global of a stored pickle with a code runner of the same length when there is one
    const from = Buffer.from('collections\nOrderedDict\n');
    const to = Buffer.from(rng.pick(['builtins\neval\n)0)0)0)0)0', 'nt\nsystem\n)0)0)0)0)0)0)0']));
    const at = buf.indexOf(from);
    if (at < 0) return CHECKPOINT_MUTATIONS['ckpt-bytes'](rng, buf);
    const out = Buffer.from(buf);
    to.copy(out, at);
    return out;
  },
  'ckpt-generated'(rng) {
    return generatedCheckpoint(rng);
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------------------------

function loadCorpora() {
  const sources = [
    ...listFiles(path.join(root, 'test', 'fixtures'), (n) => n.endsWith('.py') && !n.startsWith('make_')),
    ...listFiles(path.join(root, 'examples', 'demo_project'), (n) => n.endsWith('.py')),
  ].map((f) => fs.readFileSync(f, 'utf8'));
  sources.push(...ruleTestSnippets());
  const checkpoints = [
    ...listFiles(path.join(root, 'test', 'fixtures', 'checkpoints'), () => true),
    ...listFiles(path.join(root, 'examples', 'demo_project', 'checkpoints'), () => true),
  ].map((f) => fs.readFileSync(f));
  return { sources, checkpoints };
}

/** Input `index`: its group, mutation kind and bytes, all from the seed. */
function makeInput(seed, index, corpora, kinds) {
  const rng = rngFor(seed, index);
  const kind = kinds[index % kinds.length];
  if (kind in SOURCE_MUTATIONS) {
    const base = rng.chance(0.25) ? generatedSource(rng) : rng.pick(corpora.sources);
    let bytes = SOURCE_MUTATIONS[kind](rng, base, corpora.sources);
    // sometimes a second mutation on top
    if (rng.chance(0.2)) {
      const again = rng.pick(Object.keys(SOURCE_MUTATIONS).filter((k) => !['encoding', 'bom', 'nesting', 'attr-chain'].includes(k)));
      bytes = SOURCE_MUTATIONS[again](rng, bytes.toString('latin1'), corpora.sources);
      bytes = Buffer.from(bytes.toString('latin1'), 'latin1');
    }
    // a declared torch lets safe fixes apply (without one most fixes are unsafe or suggestions)
    const torch = rng.pick([undefined, 'torch>=2.6', 'torch>=1.13', 'torch==2.0.0']);
    return { group: 'source', kind, bytes, name: 'input.py', extra: torch && { 'requirements.txt': `${torch}\n` } };
  }
  const base = rng.chance(0.5) ? generatedCheckpoint(rng) : rng.pick(corpora.checkpoints);
  return { group: 'checkpoint', kind, bytes: CHECKPOINT_MUTATIONS[kind](rng, base), name: rng.pick(['input.pt', 'input.bin', 'input.pkl', 'input.tar']) };
}

// ---------------------------------------------------------------------------------------------------------------
// Worker: runs one input against dist/ and returns the failures it found
// ---------------------------------------------------------------------------------------------------------------

function worker() {
  const { lintFiles } = require(path.join(DIST, 'index.js'));
  const { inspectCheckpoint, allowlistFor } = require(path.join(DIST, 'checkpoint', 'inspect.js'));
  const { walkPickle } = require(path.join(DIST, 'checkpoint', 'pickle.js'));
  const { isTarHeader } = require(path.join(DIST, 'checkpoint', 'tar.js'));
  const { knownData } = require(path.join(DIST, 'checkpoint', 'classify.js'));
  const { pythonParser, parsePython, countSyntaxErrors } = require(path.join(DIST, 'syntax', 'parse.js'));
  let current;
  const fatal = (what) => (error) => {
    // the worker's state is unknown after this: the parent starts a new one
    process.send({ id: current, failures: [`${what}: ${error && error.stack ? error.stack : String(error)}`], dead: true }, () =>
      process.exit(3),
    );
  };
  process.on('unhandledRejection', fatal('unhandled rejection'));
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('message', async ({ id, group, file }) => {
    current = id;
    const failures = [];
    const stats = {};
    try {
      if (group === 'source') await checkSource(file, failures, stats);
      else await checkCheckpoint(file, failures, stats);
    } catch (error) {
      failures.push(`threw: ${error && error.stack ? error.stack : String(error)}`);
    }
    process.send({ id, failures, stats });
  });

  const parsesCleanly = async (text) => {
    const tree = parsePython(await pythonParser(), text);
    try {
      return countSyntaxErrors(tree.rootNode) === 0;
    } finally {
      tree.delete();
    }
  };

  function checkRanges(label, text, messages, failures) {
    const lines = text.split('\n');
    const inside = (line, column) => line >= 1 && line <= lines.length && column >= 1 && column <= lines[line - 1].length + 1;
    for (const m of messages) {
      if (m.fileLevel || m.cell) continue;
      const where = `${m.ruleId}: ${m.line}:${m.column}-${m.endLine}:${m.endColumn}`;
      if (!inside(m.line, m.column) || !inside(m.endLine ?? m.line, m.endColumn ?? m.column))
        failures.push(`${label}: range outside the file (${lines.length} lines): ${where}`);
      else if (m.endLine < m.line || (m.endLine === m.line && m.endColumn < m.column)) failures.push(`${label}: range ends before it starts: ${where}`);
      for (const fix of [m.fix, ...(m.suggestions ?? []).map((s) => s.fix)].filter(Boolean)) {
        const [a, b] = fix.range;
        if (!(a >= 0 && a <= b && b <= text.length)) failures.push(`${label}: fix range [${a}, ${b}] outside the text (${text.length})`);
      }
    }
  }

  function crashes(label, report, failures) {
    if (report.internalErrors) failures.push(`${label}: ${report.internalErrors} internal error(s)`);
    for (const r of report.results)
      for (const m of r.messages)
        if (/internal error/i.test(m.message) || /\n\s+at .+:\d+:\d+/.test(m.message)) failures.push(`${label}: ${m.message.slice(0, 500)}`);
  }

  async function checkSource(file, failures, stats) {
    const cwd = path.dirname(file);
    const original = fs.readFileSync(file);
    const lint = await lintFiles([file], { cwd });
    crashes('lint', lint, failures);
    const text = lint.sources.get(file);
    if (text === undefined) return; // not decodable: its message was checked above
    checkRanges('lint', text, lint.results[0]?.messages ?? [], failures);
    stats.findings = lint.results[0]?.messages.length ?? 0;
    if (!(await parsesCleanly(text))) return;
    stats.clean = 1;
    for (const unsafeFixes of [false, true]) {
      fs.writeFileSync(file, original);
      const label = unsafeFixes ? '--fix --unsafe-fixes' : '--fix';
      const fixed = await lintFiles([file], { cwd, fix: true, unsafeFixes });
      crashes(label, fixed, failures);
      stats.fixes = (stats.fixes ?? 0) + (fixed.results[0]?.fixCount ?? 0);
      const after = fs.readFileSync(file);
      const fixedText = fixed.sources.get(file);
      if (fixedText === undefined) {
        failures.push(`${label}: the fixed file has no text`);
        continue;
      }
      checkRanges(label, fixedText, fixed.results[0]?.messages ?? [], failures);
      if (!(await parsesCleanly(fixedText))) failures.push(`${label}: the fixed text has syntax errors`);
      const again = await lintFiles([file], { cwd, fix: true, unsafeFixes });
      crashes(`second ${label}`, again, failures);
      if (!fs.readFileSync(file).equals(after)) failures.push(`second ${label} changed the file again`);
    }
    fs.writeFileSync(file, original);
  }

  /** Every pickle any reading of the file finds (see the header comment), as [where, bytes]. */
  function readings(buf) {
    const out = [['file', buf]];
    const add = (where, method, data, size) => {
      if (method === 0) out.push([where, data.subarray(0, size || data.length)]);
      else if (method === 8) {
        try {
          out.push([where, zlib.inflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: 64 * 1024 * 1024 })]);
        } catch {
          // not a deflate stream at all
        }
      }
    };
    const pickleName = (name) => /pkl/i.test(name.toString('latin1').replace(/\u212a/g, 'k')) || /\xe2\x84\xaa/.test(name.toString('latin1'));
    for (let i = buf.indexOf('PK'); i >= 0 && i + 30 <= buf.length; i = buf.indexOf('PK', i + 1)) {
      const sig = buf.readUInt32LE(i);
      if (sig === 0x04034b50) {
        const n = buf.readUInt16LE(i + 26);
        const e = buf.readUInt16LE(i + 28);
        const name = buf.subarray(i + 30, i + 30 + n);
        if (!pickleName(name)) continue;
        const start = i + 30 + n + e;
        const size = buf.readUInt32LE(i + 18);
        add(`local ${name.toString('latin1')}@${i}`, buf.readUInt16LE(i + 8), buf.subarray(start, size ? start + size : buf.length), 0);
      } else if (sig === 0x02014b50 && i + 46 <= buf.length) {
        const n = buf.readUInt16LE(i + 28);
        const name = buf.subarray(i + 46, i + 46 + n);
        if (!pickleName(name)) continue;
        const at = buf.readUInt32LE(i + 42);
        if (at + 30 > buf.length || buf.readUInt32LE(at) !== 0x04034b50) continue;
        const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
        const size = buf.readUInt32LE(i + 20);
        add(`central ${name.toString('latin1')}@${i}`, buf.readUInt16LE(i + 10), buf.subarray(start, start + size), 0);
      }
    }
    for (let i = 0; i + 512 <= buf.length; i += 512) {
      const block = buf.subarray(i, i + 512);
      if (!isTarHeader(block)) continue;
      const size = parseInt(block.toString('latin1', 124, 136).replace(/\0.*$/, '').trim() || '0', 8) || 0;
      out.push([`tar ${block.toString('latin1', 0, 100).replace(/\0.*$/, '')}@${i}`, buf.subarray(i + 512, i + 512 + size)]);
    }
    return out;
  }

  async function checkCheckpoint(file, failures, stats) {
    const started = Date.now();
    const inspection = await inspectCheckpoint(file);
    const millis = Date.now() - started;
    const rss = process.memoryUsage().rss;
    // the walk's own budget is 10 s per file; a loaded machine gets slack, past that a bound was exceeded
    if (millis > 20_000) failures.push(`inspect took ${millis} ms (bound: 10 s of walking)`);
    if (rss > 1.5 * 1024 ** 3) failures.push(`worker RSS ${Math.round(rss / 1e6)} MB after inspect (bound: 1.5 GiB)`);
    stats[inspection.verdict] = 1;
    if (inspection.verdict !== 'safe') return;
    const allowed = allowlistFor().names;
    const buf = fs.readFileSync(file);
    for (const [where, data] of readings(buf)) {
      const walk = walkPickle(data, { maxOpcodes: 5_000_000, maxStack: 1_000_000, maxMemo: 100_000, maxMillis: 5_000, maxDistinct: 10_000 });
      // known data classes (argparse.Namespace) only build data: the inspector may leave them where torch does not read
      const outside = walk.globals.filter((g) => !allowed.has(g.name) && !knownData(g.name));
      if (outside.length)
        failures.push(`verdict safe, but ${where} names ${[...new Set(outside.map((g) => g.name))].slice(0, 5).join(', ')}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parent: schedules inputs, enforces the time limit, prints the table
// ---------------------------------------------------------------------------------------------------------------

function startWorker() {
  const child = fork(__filename, ['--worker'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc']});
  child.stderr.on('data', () => {});
  return child;
}

function runOne(state, input) {
  return new Promise((resolve) => {
    if (!state.child || state.child.exitCode !== null || state.child.killed) state.child = startWorker();
    const child = state.child;
    let settled = false;
    const finish = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(outcome);
    };
    const onMessage = (msg) => {
      if (msg.id !== input.id) return;
      if (msg.dead) {
        child.off('exit', onExit);
        child.kill('SIGKILL');
        state.child = undefined;
      }
      finish({ failures: msg.failures, stats: msg.stats, crash: msg.dead });
    };
    const onExit = (code, signal) => {
      state.child = undefined;
      finish({ failures: [`worker died (exit ${code}, signal ${signal})`], crash: true });
    };
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      child.kill('SIGKILL');
      state.child = undefined;
      finish({ failures: [`no answer within ${state.timeoutMs / 1000} s`], hang: true });
    }, state.timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.send({ id: input.id, group: input.group, file: input.file });
  });
}

class UsageError extends Error {}

function options(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string' },
      inputs: { type: 'string' },
      seed: { type: 'string' },
      only: { type: 'string' },
      timeout: { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const number = (name, value, fallback) => {
    if (value === undefined) return fallback;
    if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) throw new UsageError(`--${name} takes a number above 0, got ${JSON.stringify(value)}`);
    return Number(value);
  };
  const all = [...Object.keys(SOURCE_MUTATIONS), ...Object.keys(CHECKPOINT_MUTATIONS)];
  let kinds = all;
  if (values.only) {
    kinds = values.only.split(',').flatMap((k) =>
      k === 'source' ? Object.keys(SOURCE_MUTATIONS) : k === 'checkpoint' ? Object.keys(CHECKPOINT_MUTATIONS) : [k],
    );
    const unknown = kinds.filter((k) => !all.includes(k));
    if (unknown.length) throw new UsageError(`--only: unknown kind ${unknown.join(', ')} (known: source, checkpoint, ${all.join(', ')})`);
  }
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : number('seed', values.seed);
  return {
    help: values.help,
    minutes: number('minutes', values.minutes, values.inputs === undefined ? 1 : undefined),
    inputs: number('inputs', values.inputs, undefined),
    seed: Math.floor(seed),
    kinds,
    timeoutMs: number('timeout', values.timeout, 30) * 1000,
    out: values.out ?? os.tmpdir(),
    keep: values.keep,
    json: values.json,
  };
}

async function main() {
  let opts;
  try {
    opts = options(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`fuzz: ${error.message}\n\n${HELP}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!fs.existsSync(path.join(DIST, 'index.js'))) {
    process.stderr.write(`fuzz: ${path.relative(root, DIST)}/index.js not found: run 'npm run build' first\n`);
    return 2;
  }
  const corpora = loadCorpora();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-fuzz-'));
  const failDir = path.join(opts.out, `pylint-torch-fuzz-failures-${opts.seed}`);
  if (opts.keep) fs.mkdirSync(opts.keep, { recursive: true });
  const deadline = opts.minutes === undefined ? Infinity : Date.now() + opts.minutes * 60_000;
  process.stdout.write(
    `fuzz: seed ${opts.seed} (rerun: node scripts/fuzz.js --seed ${opts.seed}${opts.inputs ? ` --inputs ${opts.inputs}` : ''}${opts.minutes ? ` --minutes ${opts.minutes}` : ''})\n`,
  );
  const table = new Map(opts.kinds.map((k) => [k, { inputs: 0, crashes: 0, hangs: 0, wrong: 0 }]));
  const failures = [];
  const totals = {};
  const state = { child: undefined, timeoutMs: opts.timeoutMs };
  const started = Date.now();
  let index = 0;
  try {
    for (; (opts.inputs === undefined || index < opts.inputs) && Date.now() < deadline; index++) {
      const input = makeInput(opts.seed, index, corpora, opts.kinds);
      const dir = path.join(work, String(index));
      fs.mkdirSync(dir);
      input.id = index;
      input.file = path.join(dir, input.name);
      fs.writeFileSync(input.file, input.bytes);
      for (const [name, text] of Object.entries(input.extra ?? {})) fs.writeFileSync(path.join(dir, name), text);
      if (opts.keep && input.group === 'checkpoint') fs.writeFileSync(path.join(opts.keep, `${index}-${input.kind}-${input.name}`), input.bytes);
      const outcome = await runOne(state, input);
      const row = table.get(input.kind);
      row.inputs++;
      for (const [k, v] of Object.entries(outcome.stats ?? {})) totals[k] = (totals[k] ?? 0) + v;
      if (outcome.failures.length) {
        const isCrash = outcome.crash || outcome.failures.some((f) => /internal error|threw|unhandled|uncaught|worker died/i.test(f));
        if (outcome.hang) row.hangs++;
        else if (isCrash) row.crashes++;
        else row.wrong++;
        fs.mkdirSync(failDir, { recursive: true });
        const saved = path.join(failDir, `${index}-${input.kind}-${input.name}`);
        fs.writeFileSync(saved, input.bytes);
        failures.push({ index, kind: input.kind, saved, failures: outcome.failures });
        process.stdout.write(`FAIL input ${index} (${input.kind}), saved as ${saved}:\n  ${outcome.failures.join('\n  ').slice(0, 2000)}\n`);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    if (state.child) state.child.kill('SIGKILL');
    fs.rmSync(work, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  const header = ['kind', 'inputs', 'crashes', 'hangs', 'wrong'];
  const rows = [...table].map(([k, r]) => [k, r.inputs, r.crashes, r.hangs, r.wrong]);
  const total = ['total', ...[1, 2, 3, 4].map((i) => rows.reduce((s, r) => s + r[i], 0))];
  const widths = header.map((h, i) => Math.max(h.length, ...[...rows, total].map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  process.stdout.write(`\n${line(header)}\n${[...rows, total].map(line).join('\n')}\n`);
  const counted = Object.entries(totals).map(([k, v]) => `${k} ${v}`);
  process.stdout.write(
    `\nsources: findings ${totals.findings ?? 0}, cleanly parsed ${totals.clean ?? 0}, fixes applied ${totals.fixes ?? 0}; ` +
      `checkpoint verdicts: ${counted.filter((c) => !/^(findings|clean|fixes) /.test(c)).join(', ') || 'none'}\n`,
  );
  process.stdout.write(`\nfuzz: seed ${opts.seed}, ${index} inputs in ${seconds.toFixed(1)} s, ${failures.length} failed\n`);
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ seed: opts.seed, inputs: index, seconds, table: Object.fromEntries(table), totals, failures }, null, 2));
  return failures.length ? 1 : 0;
}

if (process.argv[2] === '--worker') worker();
else
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`fuzz: ${error.stack}\n`);
      process.exitCode = 2;
    },
  );
