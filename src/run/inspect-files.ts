/**
 * The inspect pipeline: expand files and folders to checkpoint files, judge each by the torch its project allows,
 * and inspect it without executing it. No output and no exit codes: the CLI and the public API shape those.
 */
import fg from 'fast-glob';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rules } from '../../rules';
import { CHECKPOINT_EXTENSIONS, type Inspection, inspectCheckpoint } from '../checkpoint/inspect';
import { type Config, findConfigFile, loadConfig } from '../project/config';
import { DEFAULT_IGNORED_DIRS } from '../project/discover';
import { pythonParser } from '../syntax/parse';
import { judgingVersion, torchRequirementFor, type TorchRequirement } from '../torch/version';

/** Files a folder walk inspects (the default checkpoint extensions, and safetensors). */
export const CHECKPOINT_PATTERNS: readonly string[] = [...CHECKPOINT_EXTENSIONS, '.safetensors'].map(
  (ext) => `**/*${ext}`,
);

export interface InspectCheckpointsOptions {
  /** Folder relative paths start from (default: `process.cwd()`). */
  cwd?: string;
  /**
   * Judge every file by this torch release, [major, minor]; default: the lowest its project declares, else the newest.
   */
  torchVersion?: [number, number];
}

export interface InspectCheckpointsReport {
  /** One inspection per file, files of a folder in sorted order. */
  inspections: Inspection[];
  /** Paths given that do not exist; when any, nothing was inspected. */
  missing: string[];
  /** Folders given (as given) that hold no checkpoint file (none matches {@link CHECKPOINT_PATTERNS}). */
  empty: string[];
}

/**
 * Inspects checkpoint files and the checkpoint files under folders (links to folders are not followed). Never
 * throws for a file's content. Throws `ConfigError` for an invalid config file a project's `torchVersion` is read from.
 */
export async function inspectCheckpoints(
  paths: readonly string[],
  options: InspectCheckpointsOptions = {},
): Promise<InspectCheckpointsReport> {
  const cwd = options.cwd ?? process.cwd();
  const files: string[] = [];
  const missing: string[] = [];
  const empty: string[] = [];
  for (const arg of paths) {
    const target = path.resolve(cwd, arg);
    if (!fs.existsSync(target)) {
      missing.push(arg);
    } else if (fs.statSync(target).isDirectory()) {
      // links to folders are not followed (a link to `.` would repeat the tree); name them to inspect them
      const found = await fg([...CHECKPOINT_PATTERNS], {
        cwd: target,
        absolute: true,
        dot: true,
        onlyFiles: true,
        suppressErrors: true,
        followSymbolicLinks: false,
        ignore: DEFAULT_IGNORED_DIRS.map((d) => `**/${d}/**`),
      });
      if (found.length === 0) empty.push(arg);
      files.push(...found.map((f) => path.normalize(f)).sort());
    } else {
      files.push(target);
    }
  }
  if (missing.length) return { inspections: [], missing, empty };

  // without a torchVersion, each file is judged by the lowest torch its project declares (config or requirements)
  const parser = await pythonParser();
  const cache = new Map<string, TorchRequirement>();
  const configs = new Map<string, Config>();
  const pyprojects = new Map<string, boolean>();
  const configOf = (file: string): { config?: Config; configFile?: string } => {
    const configFile = findConfigFile(path.dirname(file), pyprojects)?.file;
    let config = configFile ? configs.get(configFile) : undefined;
    if (configFile && !config) configs.set(configFile, (config = loadConfig(configFile, rules)));
    return { config, configFile };
  };
  const judgingFor = (file: string): { version: [number, number]; source: string } | undefined => {
    if (options.torchVersion)
      return { version: options.torchVersion, source: `--torch-version ${options.torchVersion.join('.')}` };
    const { config, configFile } = configOf(file);
    const override = config?.torchVersion
      ? { spec: config.torchVersion, file: path.basename(config.torchVersionFile ?? configFile!) }
      : undefined;
    return judgingVersion(torchRequirementFor(path.dirname(file), parser, cache, override));
  };
  const inspections: Inspection[] = [];
  for (const file of files) {
    const judging = judgingFor(file);
    // no Python code is read here, so no class counts as the project's own (the lint resolves them); what the
    // project's config lists in trustedGlobals is vouched for as in the lint
    const trusted = configOf(file).config?.trustedGlobals;
    inspections.push(
      await inspectCheckpoint(file, {
        torchVersion: judging?.version,
        torchVersionSource: judging?.source,
        vouchers: { trusted },
      }),
    );
  }
  return { inspections, missing: [], empty };
}
