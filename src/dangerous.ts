/**
 * Callables that can run code when a pickle calls them, and modules torch's weights_only unpickler blocks outright.
 * Source: ../shared/FACTS.md "Dangerous callables" and torch/_weights_only_unpickler.py 2.10 (`_blocklisted_modules`).
 */

/** Modules whose globals torch refuses even when allowlisted. */
export const BLOCKED_MODULES = ['sys', 'os', 'posix', 'nt'];

const DANGEROUS_NAMES = new Set([
  'builtins.eval',
  'builtins.exec',
  'builtins.compile',
  'builtins.open',
  'builtins.getattr',
  'builtins.setattr',
  'builtins.__import__',
  'builtins.breakpoint',
  'operator.attrgetter',
  'operator.methodcaller',
  'functools.partial',
  'torch.storage._load_from_bytes',
  'torch.serialization.load',
  'torch.load',
]);
const DANGEROUS_MODULES = ['os', 'posix', 'nt', 'sys', 'subprocess', 'pty', 'socket', 'runpy', 'importlib', 'marshal', 'pickle', 'shutil'];

const inModule = (name: string, module: string) => name === module || name.startsWith(`${module}.`);

/** True when `module.name` lies in a module torch blocks (sys, os, posix, nt). */
export function isBlocked(name: string): boolean {
  return BLOCKED_MODULES.some((m) => inModule(name, m));
}

/** Why `module.name` can run code, or undefined. */
export function dangerReason(name: string): string | undefined {
  if (DANGEROUS_NAMES.has(name)) return name.startsWith('torch.') ? 'it unpickles again with full pickle' : 'it can call or import arbitrary code';
  const module = DANGEROUS_MODULES.find((m) => inModule(name, m));
  return module ? `module \`${module}\` runs commands, reads files or imports code` : undefined;
}
