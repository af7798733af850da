// Where the bytes of dist/outbound.wasm go: links the browser module again with --profiling-funcs
// (the link command CMake wrote for outbound_web, output to a temporary folder, so dist/ is left as
// it is), reads the function bodies of its code section and their names from its name section, and
// prints the code size per part (nlohmann/json, libc++, libc, embind, soft-float, the core by file,
// the bindings) and the largest functions. Build first (`npm run build`, or the wasm preset).
//
//   node bench/wasm-size.mjs            # the table and the top 30
//   node bench/wasm-size.mjs --top 100  # more functions
//   node bench/wasm-size.mjs --json     # figures as JSON on the last line
//   node bench/wasm-size.mjs --wasm F   # an already linked module with a name section
//
// Function bodies only: data, imports and exports are the rest of the file (printed as "other
// sections"). Sizes are raw bytes; --profiling-funcs keeps the names without changing the code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { ROOT } from './lib.mjs';

const { values: flags } = parseArgs({
  options: {
    top: { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
    wasm: { type: 'string' },
    build: { type: 'string', default: path.join(ROOT, 'build/wasm') },
  },
});

// ---------------------------------------------------------------------------------------------
// Linking with names

function linkWithNames(buildDir, outDir) {
  const linkTxt = path.join(buildDir, 'CMakeFiles/outbound_web.dir/link.txt');
  const command = readFileSync(linkTxt, 'utf8').trim();
  const output = path.join(outDir, 'outbound.js');
  if (!/ -o outbound\.js /.test(command)) throw new Error(`${linkTxt}: no "-o outbound.js" to replace`);
  const profiling = command.replace(/ -o outbound\.js /, ` --profiling-funcs -o ${output} `);
  execFileSync('sh', ['-c', profiling], {
    cwd: buildDir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_PATH: ['/usr/share/nodejs', process.env.NODE_PATH].filter(Boolean).join(':') },
  });
  return path.join(outDir, 'outbound.wasm');
}

// ---------------------------------------------------------------------------------------------
// Reading the module

function reader(bytes) {
  let at = 0;
  const r = {
    get at() { return at; },
    set at(value) { at = value; },
    u8: () => bytes[at++],
    uleb() {
      let result = 0;
      let shift = 0;
      for (;;) {
        const byte = bytes[at++];
        result += (byte & 0x7f) * 2 ** shift;
        shift += 7;
        if (!(byte & 0x80)) return result;
      }
    },
    name() {
      const length = r.uleb();
      const text = new TextDecoder().decode(bytes.subarray(at, at + length));
      at += length;
      return text;
    },
  };
  return r;
}

function readModule(bytes) {
  if (bytes.length < 8 || bytes.readUInt32LE(0) !== 0x6d736100) throw new Error('not a WebAssembly module');
  const r = reader(bytes);
  r.at = 8;  // magic and version
  const sections = [];
  let importedFunctions = 0;
  const bodies = [];
  const names = new Map();
  while (r.at < bytes.length) {
    const id = r.u8();
    const size = r.uleb();
    const start = r.at;
    const end = start + size;
    let name = null;
    if (id === 0) name = r.name();
    sections.push({ id, name, size: end - start + 1 + lebLength(size) });
    if (id === 2) {
      for (let count = r.uleb(); count > 0; --count) {
        r.name();
        r.name();
        const kind = r.u8();
        if (kind === 0) {
          r.uleb();
          ++importedFunctions;
        } else if (kind === 1) {
          r.u8();
          limits(r);
        } else if (kind === 2) {
          limits(r);
        } else if (kind === 3) {
          r.u8();
          r.u8();
        } else {
          r.uleb();  // tag
          r.uleb();
        }
      }
    } else if (id === 10) {
      for (let count = r.uleb(); count > 0; --count) {
        const bodyStart = r.at;
        const bodySize = r.uleb();
        bodies.push(r.at + bodySize - bodyStart);
        r.at += bodySize;
      }
    } else if (id === 0 && name === 'name') {
      while (r.at < end) {
        const kind = r.u8();
        const subsectionEnd = r.uleb() + r.at;
        if (kind === 1) {
          for (let count = r.uleb(); count > 0; --count) {
            const index = r.uleb();
            names.set(index, r.name());
          }
        }
        r.at = subsectionEnd;
      }
    }
    r.at = end;
  }
  const functions = bodies.map((size, i) => ({
    name: names.get(importedFunctions + i) ?? `function ${importedFunctions + i}`,
    size,
  }));
  return { sections, functions };
}

function limits(r) {
  const flag = r.u8();
  r.uleb();
  if (flag & 1) r.uleb();
}

function lebLength(value) {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    ++length;
  }
  return length;
}

// ---------------------------------------------------------------------------------------------
// Naming the parts

// The qualified name a demangled signature is about: "void std::__2::f<int>(int)" → "std::__2::f<int>".
function qualifiedName(signature) {
  let depth = 0;
  let start = 0;
  for (let i = 0; i < signature.length; ++i) {
    const c = signature[i];
    if (c === '<') ++depth;
    else if (c === '>') --depth;
    else if (c === '(' && depth === 0) {
      // "(anonymous namespace)" is part of a name, not its parameter list.
      if (signature.startsWith('(anonymous namespace)', i)) {
        i += '(anonymous namespace)'.length - 1;
        continue;
      }
      return signature.slice(start, i);
    } else if (c === ' ' && depth === 0) start = i + 1;
  }
  return signature.slice(start);
}

// The core's own functions by the source file that defines them, from the symbols of its objects
// (bitcode under -flto, which llvm-nm reads). A symbol defined in several objects (an inline
// function) counts for the first; the anonymous namespaces' functions are local symbols and so
// are found too.
function definedIn(buildDir) {
  const owner = new Map();
  const objectDirs = ['CMakeFiles/outbound_core.dir/src/core', 'CMakeFiles/outbound_bindings.dir/src/bindings'];
  for (const dir of objectDirs) {
    let files;
    try {
      files = readdirSync(path.join(buildDir, dir)).filter((f) => f.endsWith('.o')).sort();
    } catch {
      continue;
    }
    for (const file of files) {
      let out;
      try {
        out = execFileSync('llvm-nm', ['--defined-only', '-C', path.join(buildDir, dir, file)], { encoding: 'utf8', maxBuffer: 64 << 20 });
      } catch {
        continue;
      }
      const source = `${dir.split('/').pop()}/${file.replace(/\.o$/, '')}`;
      for (const line of out.split('\n')) {
        const match = line.match(/^\S*\s+[tTwW]\s+(.+)$/);
        if (match && !owner.has(match[1])) owner.set(match[1], source);
      }
    }
  }
  return owner;
}

const SOFT_FLOAT = /^(__[a-z]*tf[a-z]*[0-9]|__[a-z]*ti[0-9]|fmodl|scalbnl|frexpl|copysignl|fabsl|ldexpl|__fpclassifyl|__signbitl)$/;
const EMBIND = /^(emscripten::|_embind_|embind_|__embind|\(anonymous namespace\)::(register|EmscriptenBindingInitializer))/;

function partOf(fn, owner) {
  const qualified = qualifiedName(fn.name).replace(/\.\d+$/, '');  // "strtox.1163": a local copy
  if (SOFT_FLOAT.test(qualified)) return 'compiler-rt soft-float (long double)';
  if (qualified.startsWith('nlohmann::')) return 'nlohmann/json';
  // A libc++ template instantiated for the core's own types (std::function of a lambda, say)
  // counts for the file that instantiated it; one over library types only counts as libc++.
  const ownTemplate = qualified.startsWith('std::') && fn.name.includes('outbound::');
  if (qualified.startsWith('outbound::') || (owner.has(fn.name) && (ownTemplate || !qualified.startsWith('std::')))) {
    const file = owner.get(fn.name);
    return file ? `outbound: ${file}` : 'outbound: (inline, header)';
  }
  if (EMBIND.test(qualified) || /emscripten::(internal|val)/.test(qualified)) return 'embind';
  if (qualified.startsWith('std::')) {
    return /nlohmann::/.test(fn.name) ? 'libc++ std:: for nlohmann' : 'libc++ std::';
  }
  if (/^(operator new|operator delete|__cxa_|__cxxabiv1|abort_message|__gxx_|std::terminate|__dynamic_cast|is_equal|update_offset_to_base)/.test(qualified)) return 'libc++abi';
  if (/^(emscripten_fetch|emscripten_start_fetch|fetch_|_emscripten_fetch|emscripten_is_main|emscripten_)/.test(qualified)) return 'emscripten runtime (fetch, stack)';
  if (/^(dlmalloc|dlfree|emmalloc|malloc|free|realloc|calloc|aligned_alloc|memalign|posix_memalign|sbrk|[a-z_]*_region|claim_more_memory|[a-z_]*_free_list|[a-z_]*bucket|compute_free_list_bucket|attempt_allocate|allocate_memory|emmalloc_[a-z_]+|validate_[a-z_]+|[a-z_]+_heap)$/.test(qualified)) return 'malloc (emmalloc)';
  if (/^(strtod|strtof|strtold|__floatscan|decfloat|hexfloat|scanexp|__shgetc|__shlim|__intscan|strtox|strtoul|strtoull|strtoll|strtol|atoi|atoll|atol|__uflow|__toread|copysignl|scalbn|scalbnl|fmodl)$/.test(qualified)) return 'libc: strtod and friends';
  if (/^(vfprintf|printf_core|fmt_fp|fmt_x|fmt_o|fmt_u|pad|pop_arg|out|getint|vsnprintf|snprintf|sn_write|siprintf|vsiprintf|fiprintf|__towrite|__fwritex|frexp|frexpl|wctomb|wcrtomb|__fpclassifyl|__signbitl)$/.test(qualified)) return 'libc: printf';
  if (!qualified.includes('::') && !qualified.startsWith('function ')) return 'libc (musl) and other C';
  return 'other';
}

// ---------------------------------------------------------------------------------------------

const workDir = flags.wasm ? null : mkdtempSync(path.join(os.tmpdir(), 'wasm-size-'));
try {
  const wasmPath = flags.wasm ?? linkWithNames(flags.build, workDir);
  const bytes = readFileSync(wasmPath);
  const { sections, functions } = readModule(bytes);
  const owner = definedIn(flags.build);
  const parts = new Map();
  for (const fn of functions) {
    fn.part = partOf(fn, owner);
    const part = parts.get(fn.part) ?? { part: fn.part, bytes: 0, functions: 0 };
    part.bytes += fn.size;
    part.functions += 1;
    parts.set(fn.part, part);
  }
  const code = functions.reduce((sum, fn) => sum + fn.size, 0);
  const named = sections.filter((s) => s.id === 0).reduce((sum, s) => sum + s.size, 0);
  const shipped = bytes.length - named;  // without the custom sections --profiling-funcs adds
  const rows = [...parts.values()].sort((a, b) => b.bytes - a.bytes);
  const top = [...functions].sort((a, b) => b.size - a.size).slice(0, Number(flags.top));
  let dist = null;
  if (!flags.wasm) {
    try {
      const distBytes = readFileSync(path.join(ROOT, 'dist/outbound.wasm'));
      dist = { raw: distBytes.length, gzip: gzipSync(distBytes, { level: 9 }).length };
    } catch { /* not built */ }
  }

  const int = (n) => n.toLocaleString('en-US');
  const pad = (text, width) => String(text).padStart(width);
  const lines = [];
  if (dist) lines.push(`dist/outbound.wasm: ${int(dist.raw)} B raw, ${int(dist.gzip)} B gzipped (zlib level 9, as bench/page-weight.mjs counts)`);
  lines.push(`linked with names: ${int(shipped)} B without its name section; function bodies ${int(code)} B in ${int(functions.length)} functions, other sections ${int(shipped - code)} B`);
  lines.push('');
  lines.push(`${'part'.padEnd(44)} ${pad('bytes', 8)} ${pad('share', 6)} ${pad('funcs', 6)}`);
  for (const row of rows) {
    lines.push(`${row.part.padEnd(44)} ${pad(int(row.bytes), 8)} ${pad(`${((100 * row.bytes) / code).toFixed(1)}%`, 6)} ${pad(row.functions, 6)}`);
  }
  lines.push('');
  lines.push(`largest ${top.length} functions:`);
  for (const fn of top) {
    const name = fn.name.length > 150 ? `${fn.name.slice(0, 147)}...` : fn.name;
    lines.push(`${pad(int(fn.size), 7)}  ${fn.part.padEnd(28).slice(0, 28)}  ${name}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ dist, shipped, code, functions: functions.length, parts: rows, top: top.map(({ name, size, part }) => ({ name, size, part })) })}\n`);
  }
} finally {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}
