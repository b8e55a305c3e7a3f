/**
 * Writing fixed files: atomically (temp file in the same folder, then rename) and only if the file still holds the
 * bytes that were linted, so a fix never corrupts a file or overwrites an edit made meanwhile.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Replaces `file`'s content with `content` (UTF-8) if its bytes still equal `original`. Follows a symbolic link to
 * its target, keeps the file mode. Returns `changed` (nothing written) when the file was modified since it was read.
 * Throws the underlying fs error if the folder is not writable; the temp file is removed in every case.
 */
export function writeIfUnchanged(file: string, content: string, original: Buffer): 'written' | 'changed' {
  const target = fs.realpathSync(file);
  const { mode } = fs.statSync(target);
  if (!fs.readFileSync(target).equals(original)) return 'changed';
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.pylint-torch.tmp`);
  try {
    fs.writeFileSync(temp, content, { mode });
    fs.chmodSync(temp, mode & 0o7777);
    if (!fs.readFileSync(target).equals(original)) return 'changed';
    fs.renameSync(temp, target);
    return 'written';
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
