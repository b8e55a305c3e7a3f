import { ownedCopy } from '../syntax/parse';

/**
 * What a file's lint asked about the rest of the run, for the result cache (src/run/cache.ts): every question whose
 * answer can change a file's result without its own bytes changing (another module's summary, whether a module path
 * exists, the torch requirement of a folder, the files that quote a literal…). A cached result is reused only when
 * every question it asked gets the same answer again.
 *
 * Questions are strings (`kind`, NUL, arguments; see src/run/cache.ts for the kinds); the log keeps them only while
 * a file is being linted (an open frame), and records nothing otherwise.
 *
 * A memo table that shares an answer between files must keep the questions asked while computing it and replay them
 * when it serves that answer again ({@link DependencyLog.memo}): otherwise the second file's record would lack them
 * and its cached result would outlive a change it depends on.
 */
export class DependencyLog {
  private readonly frames: Set<string>[] = [];

  /** @param enabled false: the log records nothing and memo tables keep only answers (a run without a cache). */
  constructor(readonly enabled = true) {}

  /** Records `question` in the innermost open frame; nothing when none is open. */
  ask(question: string): void {
    this.frames[this.frames.length - 1]?.add(question);
  }

  /** Records each of `questions` (what a memoized answer asked when it was computed). */
  replay(questions: Iterable<string>): void {
    const top = this.frames[this.frames.length - 1];
    if (top) for (const question of questions) top.add(question);
  }

  /**
   * Runs `compute` in a new frame and returns its value with the questions it asked; those also count for the
   * enclosing frame. When `compute` throws, what it asked is still recorded in the enclosing frame.
   */
  capture<T>(compute: () => T): { value: T; asked: ReadonlySet<string> } {
    const frame = new Set<string>();
    this.frames.push(frame);
    try {
      return { value: compute(), asked: frame };
    } finally {
      this.frames.pop();
      this.replay(frame);
    }
  }

  /**
   * `table`'s answer for `key`, computed by `compute` the first time; when the log is enabled, the questions asked to
   * compute it are kept with it and recorded again each time it is served (also when it was computed outside any
   * frame, before the first file's lint).
   */
  memo<K, V>(table: Map<K, Memo<V>>, key: K, compute: () => V): V {
    const known = table.get(key);
    if (known) {
      if (known.asked) this.replay(known.asked);
      return known.value;
    }
    // a key built from a file's text (a qualified name) would keep that text alive for the run: it is copied
    const kept = typeof key === 'string' ? ownedCopy(key) : key;
    if (!this.enabled) {
      const value = compute();
      table.set(kept, { value });
      return value;
    }
    const { value, asked } = this.capture(compute);
    table.set(kept, { value, asked: asked.size ? [...asked] : undefined });
    return value;
  }
}

/** A memoized answer and the questions computing it asked (see {@link DependencyLog.memo}). */
export interface Memo<V> {
  value: V;
  asked?: readonly string[];
}

/**
 * The questions a lint run records (see src/run/cache.ts, which answers each kind again): strings of a kind and its
 * arguments, NUL-separated (the last argument may hold anything but is never split).
 */
export const question = {
  /** The summary of a module file: a function of its path and bytes. */
  summary: (file: string) => `summary\0${file}`,
  /** The file a dotted module name names when imported from a file in `folder` (ProjectIndex.resolveModule). */
  module: (folder: string, dotted: string) => `module\0${folder}\0${dotted}`,
  /** The torch requirement of the files in `folder` (their declarations and config `torchVersion`). */
  torch: (folder: string) => `torch\0${folder}`,
  /** The linted files whose text quotes `literal` (where its saves and loads are). */
  filesWith: (literal: string) => `with\0${literal}`,
  /** How many times each linted file may name the file `literal` names. */
  mentions: (literal: string) => `mentions\0${literal}`,
  /** The checkpoint files `literal` names from `file`, and their inspections. */
  checkpoint: (file: string, literal: string) => `checkpoint\0${file}\0${literal}`,
  /** Whether rule `ruleId` runs on `file`. */
  ruleEnabled: (file: string, ruleId: string) => `enabled\0${file}\0${ruleId}`,
  /** Where the linted files weaken torch.load's default process-wide. */
  weakened: 'weakened',
  /** Where a linted file defines `set_extra_state`. */
  extraState: 'extraState',
} as const;
