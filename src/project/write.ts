/**
 * Writing fixed files: atomically (temp file in the same folder, then rename) and only if the file still holds the
 * bytes that were linted, so a fix never corrupts a file or overwrites an edit made meanwhile.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Why a fix was not written. */
export type WriteOutcome = 'written' | 'changed' | 'read-only' | 'hard-linked' | 'outside-roots';

/** What to tell the user when {@link writeIfUnchanged} did not write, one sentence each. */
export const NOT_WRITTEN: Record<Exclude<WriteOutcome, 'written'>, string> = {
  changed: 'File changed on disk while pylint-torch was fixing it; no fix was written. Run again.',
  'read-only': 'File is read-only; no fix was written (make it writable to let --fix change it).',
  'hard-linked': 'File has several hard links; no fix was written (rewriting it would split the links).',
  'outside-roots':
    'File is a symbolic link to a file outside the linted paths; no fix was written (name the real file to fix it).',
};

/**
 * Whether the absolute, real path `target` is one of `roots` (absolute real paths: folders or files) or lies inside
 * one of them.
 */
export function isInsideRoots(target: string, roots: readonly string[]): boolean {
  return roots.some((root) => {
    const rel = path.relative(root, target);
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
  });
}

/**
 * Replaces `file`'s content with `content` (UTF-8 or already-encoded bytes) if its bytes still equal `original`.
 * Follows a symbolic link to its target and keeps its mode and (when permitted) owner. Refuses, without writing:
 * a file changed since it was read (`changed`), a file without write permission bits (`read-only`: --fix must not
 * override a deliberate chmod), a file with several hard links (`hard-linked`: a rename would split them), and,
 * when `roots` (absolute real paths of the linted folders and files) are given, a file whose real path lies outside
 * all of them (`outside-roots`: a link in the linted tree must not let --fix write elsewhere).
 * Throws the underlying fs error if the folder is not writable; the temp file is removed in every case.
 */
export function writeIfUnchanged(
  file: string,
  content: string | Buffer,
  original: Buffer,
  roots?: readonly string[],
): WriteOutcome {
  const target = fs.realpathSync(file);
  if (roots && !isInsideRoots(target, roots)) return 'outside-roots';
  const stat = fs.statSync(target);
  if (!fs.readFileSync(target).equals(original)) return 'changed';
  if ((stat.mode & 0o222) === 0) return 'read-only';
  if (stat.nlink > 1) return 'hard-linked';
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.pylint-torch.tmp`,
  );
  try {
    fs.writeFileSync(temp, content, { mode: stat.mode });
    fs.chmodSync(temp, stat.mode & 0o7777);
    try {
      fs.chownSync(temp, stat.uid, stat.gid);
    } catch {
      // not permitted for a non-root user on someone else's file; the content is what matters
    }
    if (!fs.readFileSync(target).equals(original)) return 'changed';
    fs.renameSync(temp, target);
    return 'written';
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
