/**
 * Checkpoint files that Python code names in string literals (`torch.load("weights/model.pt")`), inspected before the
 * lint so that rules and the fix planner can ask about them synchronously. Rules run synchronously on one parse; the
 * zip reader is asynchronous; so the CLI scans each Python file's text for quoted literals ending in a checkpoint
 * extension first, inspects the files they name, and rules look them up here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Inspection, inspectCheckpoint, type InspectOptions } from './inspect';

/** A checkpoint file a literal names, as a rule sees it. */
export interface CheckpointReference {
  /** Absolute path of the file. */
  file: string;
  inspection: Inspection;
  /** Python files of the linted paths that mention `add_safe_globals` (process-wide allowlists to account for). */
  allowlistFiles: readonly string[];
}

export class CheckpointReferences {
  private readonly inspections = new Map<string, Inspection>();
  private readonly allowlistFiles: string[] = [];
  /** How many times each checkpoint literal is quoted in each Python file (`"ckpt.pt"` → file → count). */
  private readonly literalFiles = new Map<string, Map<string, number>>();
  private readonly literal: RegExp;
  private readonly extensions: readonly string[];

  /**
   * @param roots folders a relative literal may be relative to besides the loading file's own folder (the working
   *   folder, the linted folders, their git work trees), in order of preference.
   * @param extensions file extensions that make a literal a checkpoint reference (`.pt`, …).
   * @param maxBytes files larger than this are not inspected.
   */
  constructor(
    private readonly roots: readonly string[],
    extensions: readonly string[],
    private readonly maxBytes: number,
  ) {
    this.extensions = extensions;
    const ext = extensions.map((e) => e.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    this.literal = new RegExp(`["']([^"'\\n\\r]{1,4096}?(?:${ext}))["']`, 'g');
  }

  /** Whether a file name ends with one of the checkpoint extensions. */
  isCheckpointName(file: string): boolean {
    return this.extensions.some((ext) => file.endsWith(ext));
  }

  /**
   * The existing regular file `literal` names from `fromFile`: an absolute path, else relative to `fromFile`'s folder,
   * then to each root. Undefined when none exists.
   */
  resolve(fromFile: string, literal: string): string | undefined {
    const candidates = path.isAbsolute(literal) ? [literal] : [path.dirname(fromFile), ...this.roots].map((dir) => path.resolve(dir, literal));
    for (const candidate of candidates) {
      try {
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // not there
      }
    }
    return undefined;
  }

  /**
   * Finds the quoted checkpoint literals in `text` (a Python file's source) and inspects the files they name, each
   * file once. `options(file)` gives the torch version to judge a checkpoint by. Never throws for bad files (the
   * inspector reports them in the inspection).
   */
  async prefetch(fromFile: string, text: string, options: (file: string) => InspectOptions): Promise<void> {
    if (text.includes('add_safe_globals')) this.allowlistFiles.push(fromFile);
    for (const match of text.matchAll(this.literal)) {
      let files = this.literalFiles.get(match[1]);
      if (!files) this.literalFiles.set(match[1], (files = new Map()));
      files.set(fromFile, (files.get(fromFile) ?? 0) + 1);
      const file = this.resolve(fromFile, match[1]);
      if (!file || this.inspections.has(file)) continue;
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        continue;
      }
      // a zip costs its central directory and data.pkl whatever its size; other formats are read in full
      if (size > this.maxBytes && !isZipFile(file)) continue;
      this.inspections.set(file, await inspectCheckpoint(file, options(file)));
    }
  }

  /** The linted Python files whose text quotes `literal`, with how many times each does. */
  mentions(literal: string): ReadonlyMap<string, number> {
    return this.literalFiles.get(literal) ?? new Map();
  }

  /** What the inspector said of the file `literal` names from `fromFile`; undefined when it was not prefetched. */
  get(fromFile: string, literal: string): CheckpointReference | undefined {
    const file = this.resolve(fromFile, literal);
    const inspection = file === undefined ? undefined : this.inspections.get(file);
    return inspection && { file: file!, inspection, allowlistFiles: this.allowlistFiles };
  }
}

/** Whether a file starts with a zip local header (false when it cannot be read). */
export function isZipFile(file: string): boolean {
  const head = Buffer.alloc(4);
  try {
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, head, 0, 4, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
  return head.toString('latin1') === 'PK\x03\x04';
}
