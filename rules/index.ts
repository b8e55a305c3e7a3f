/** Every rule pylint-torch has, one file each. Order here is the order of SARIF `tool.driver.rules`. */
import type { AnyRule } from '../src/engine/rule';
import checkpointUnsafeGlobals from './checkpoint-unsafe-globals';
import pickleLoadUntrusted from './pickle-load-untrusted';
import torchLoadMissingWeightsOnly from './torch-load-missing-weights-only';
import torchLoadPickleModule from './torch-load-pickle-module';
import torchLoadWeightsOnlyFalse from './torch-load-weights-only-false';
import torchHubLoadUntrusted from './torch-hub-load-untrusted';
import torchSaveFullModel from './torch-save-full-model';
import torchUnsafeSafeGlobals from './torch-unsafe-safe-globals';
import torchWeightsOnlyOverride from './torch-weights-only-override';
import torchVulnerableVersion from './torch-vulnerable-version';

export const rules: readonly AnyRule[] = [
  torchLoadMissingWeightsOnly,
  torchLoadWeightsOnlyFalse,
  torchSaveFullModel,
  torchLoadPickleModule,
  torchWeightsOnlyOverride,
  torchUnsafeSafeGlobals,
  pickleLoadUntrusted,
  torchHubLoadUntrusted,
  checkpointUnsafeGlobals,
  torchVulnerableVersion,
];
