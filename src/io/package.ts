/** The package's own facts: where it is installed, its version and its repository (package.json). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The package folder (this file runs from src/io/ under Jest and from dist/src/io/ when built). */
export const packageRoot = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();

const manifest: { version: string; repository?: string | { url?: string } } = JSON.parse(
  fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8'),
);

export const VERSION: string = manifest.version;

/**
 * The project's web address, from package.json `repository` (npm's forms: `{type, url}` with a `git+https://…git`
 * URL, or a `github:owner/name` / `owner/name` shorthand), e.g. `https://github.com/pylint-torch/pylint-torch`.
 * Rule docs, SARIF `helpUri` and `informationUri` point into it.
 * @throws Error when package.json has no repository npm would understand (a packaging bug, caught by the tests).
 */
export const REPOSITORY_URL: string = repositoryUrl(manifest.repository);

/** npm's `repository` field as a browsable https URL without a trailing `.git`; see {@link REPOSITORY_URL}. */
export function repositoryUrl(repository: string | { type?: string; url?: string } | undefined): string {
  const raw = typeof repository === 'string' ? repository : repository?.url;
  if (!raw) throw new Error('package.json has no repository url');
  const shorthand = /^(?:github:)?([\w.-]+\/[\w.-]+)$/.exec(raw);
  if (shorthand) return `https://github.com/${shorthand[1].replace(/\.git$/, '')}`;
  const url = /^(?:git\+)?(?:https?|git|ssh):\/\/(?:[^@/]+@)?([^/]+)\/(.+?)(?:\.git)?\/?$/.exec(raw);
  if (!url) throw new Error(`package.json repository url ${JSON.stringify(raw)} is not one npm understands`);
  return `https://${url[1]}/${url[2]}`;
}
