import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintFiles } from '../src/run/lint-files';
import { tempRepo } from './helpers/cli';

// The repository index memoizes its answers (file existence, module paths, symbol lookups) for one lintFiles call:
// these tests pin down what a memo may key on, and that nothing carries over to the next call in the same process.

async function findings(dir: string, cwd = dir): Promise<string[]> {
  const { results } = await lintFiles(['.'], { cwd, rules: { 'torch-vulnerable-version': 'off' } });
  return results.flatMap((r) => r.messages.map((m) => `${path.relative(dir, r.filePath)}:${m.line} ${m.ruleId}/${m.messageId}`));
}

describe('the project index of a run', () => {
  test('a module created between two runs in one process is found by the second', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.4\n',
      'main.py': ['import sys', 'from helpers.io import restore', '', 'state = restore(sys.argv[1])', ''].join('\n'),
    });
    expect(await findings(dir)).toEqual([]);
    fs.mkdirSync(path.join(dir, 'helpers'));
    fs.writeFileSync(path.join(dir, 'helpers', '__init__.py'), '');
    fs.writeFileSync(
      path.join(dir, 'helpers', 'io.py'),
      ['import torch', '', 'def restore(p, weights_only=False):', '    return torch.load(p, weights_only=weights_only)', ''].join('\n'),
    );
    expect(await findings(dir)).toEqual(['main.py:4 torch-load-missing-weights-only/missingDefaultFalse']);
    // and gone again: the second run's answer is not kept either
    fs.rmSync(path.join(dir, 'helpers'), { recursive: true });
    expect(await findings(dir)).toEqual([]);
  });

  test('a package made by adding __init__.py between runs resolves from its parent folder', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.4\n',
      'app/io.py': ['import torch', '', 'def restore(p, weights_only=False):', '    return torch.load(p, weights_only=weights_only)', ''].join('\n'),
      'app/core/run.py': ['import sys', 'from app.io import restore', '', 'state = restore(sys.argv[1])', ''].join('\n'),
    });
    // linted from app/core alone: `app.io` resolves only from the folder above the package app/core is in
    const core = path.join(dir, 'app', 'core');
    expect(await findings(core)).toEqual([]);
    fs.writeFileSync(path.join(dir, 'app', '__init__.py'), '');
    fs.writeFileSync(path.join(core, '__init__.py'), '');
    expect(await findings(core)).toEqual(['run.py:4 torch-load-missing-weights-only/missingDefaultFalse']);
  });

  test('a module-local name is answered per file, not per folder', async () => {
    // both modules of one folder call their own local base `Base`: only one of them is an nn.Module
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.4\n',
      'nets_a.py': ['from torch import nn', '', 'class Base(nn.Module):', '    pass', '', 'class Net(Base):', '    pass', ''].join('\n'),
      'nets_b.py': ['class Base:', '    pass', '', 'class Net(Base):', '    pass', ''].join('\n'),
      'save.py': [
        'import torch',
        'from nets_b import Net as Plain',
        'from nets_a import Net as Model',
        '',
        'torch.save(Plain(), "plain.pt")',
        'torch.save(Model(), "model.pt")',
        '',
      ].join('\n'),
    });
    expect(await findings(dir)).toEqual(['save.py:6 torch-save-full-model/fullModel']);
  });
});
