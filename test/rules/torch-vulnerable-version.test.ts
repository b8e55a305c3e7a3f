import * as path from 'node:path';
import rule from '../../rules/torch-vulnerable-version';
import { cli, tempRepo } from '../helpers/cli';
import { sarifSchemaErrors } from '../helpers/sarif';
import { ruleTester } from '../helpers/rule-tester';

const BOTH = 'CVE-2025-32434 (GHSA-53q9-r3pm-6pq6, torch <=2.5.1) and CVE-2026-24747 (GHSA-63cw-57p8-fm3p, torch <=2.9.1)';
const SECOND = 'CVE-2026-24747 (GHSA-63cw-57p8-fm3p, torch <=2.9.1)';
const requirementMessage = (spec: string, advisories: string) =>
  `\`${spec}\` allows torch releases where \`torch.load(..., weights_only=True)\` of a malicious file can still run ` +
  `code: ${advisories}. Require torch>=2.10.`;
const ARGV = 'import sys\nimport torch\n';
const ARGPARSE = 'import argparse\nimport torch\nparser = argparse.ArgumentParser()\nparser.add_argument("--ckpt")\nargs = parser.parse_args()\n';

ruleTester.run('torch-vulnerable-version', rule, {
  valid: [
    { name: 'torch>=2.10: no affected release', filename: 'requirements.txt', code: 'numpy\ntorch>=2.10\n' },
    { name: 'a requirements file without torch', filename: 'requirements-dev.txt', code: 'pytest>=8\n# torch>=2.0\n' },
    { name: 'a direct URL: no version to judge', filename: 'requirements.txt', code: 'torch @ https://example.org/torch.whl\n' },
    {
      name: 'suppressed by a directive',
      filename: 'requirements.txt',
      code: 'torch>=2.0  # pylint-torch: disable=torch-vulnerable-version\n',
    },
    { name: 'pyproject.toml with torch>=2.10', filename: 'pyproject.toml', code: '[project]\ndependencies = ["torch>=2.10"]\n' },
    { name: 'malformed TOML decides nothing', filename: 'pyproject.toml', code: '[project\ndependencies = ["torch"]\n' },
    {
      name: 'setup.py with torch>=2.10; an extra named torch is not a requirement',
      filename: 'setup.py',
      code: 'from setuptools import setup\nsetup(install_requires=["torch>=2.10"], extras_require={"torch": []})\n',
    },
    {
      name: 'trusted path, weights_only=True, torch>=2.6: nothing (the requirement finding covers it)',
      code: 'import torch\nsd = torch.load("weights/model.pt", weights_only=True)\n',
      torch: '>=2.6',
    },
    { name: 'trusted path, nothing declared', code: 'import torch\nsd = torch.load("model.pt", weights_only=True)\n' },
    {
      name: 'untrusted path on torch>=2.10',
      code: `${ARGV}sd = torch.load(sys.argv[1], weights_only=True)\n`,
      torch: '>=2.10',
    },
    {
      name: 'untrusted path with weights_only=False: full pickle on every torch (torch-load-weights-only-false)',
      code: `${ARGV}m = torch.load(sys.argv[1], weights_only=False)\n`,
      torch: '>=2.0',
    },
    {
      name: 'a hub loader without weights_only: False on every torch (torch-load-missing-weights-only)',
      code: 'import torch\nsd = torch.hub.load_state_dict_from_url("https://example.org/m.pth")\n',
    },
  ],
  invalid: [
    {
      name: 'a specifier that is not PEP 440, and one that allows no release: said, since both bound nothing',
      filename: 'requirements.txt',
      code: 'numpy\ntorch>=banana\n',
      errors: [
        {
          messageId: 'unreadableSpecifier',
          line: 2,
          column: 1,
          message:
            '`torch>=banana` is not a PEP 440 specifier pylint-torch can read, so it bounds nothing: the project is judged as allowing any torch (no fix is safe), and pip will refuse it too.',
        },
      ],
    },
    {
      name: 'a range that allows no torch release',
      filename: 'requirements.txt',
      code: 'torch>=2.6,<2.5\n',
      errors: [{ messageId: 'allowsNothing', line: 1, column: 1, message: /^`torch>=2\.6,<2\.5` allows no torch release at all/ }],
    },
    {
      name: 'the same in setup.py; a requirement built from pieces or a URL is not a specifier and says nothing',
      filename: 'setup.py',
      code: 'from setuptools import setup\nsetup(install_requires=["torch>=2.6,<2.5", "torch>=" + MIN, "torch @ https://x/torch-2.6.0.whl"])\n',
      errors: [{ messageId: 'allowsNothing', line: 2, column: 25 }],
    },
    {
      name: 'requirements.txt torch>=2.0: both advisories, the lower bound raised',
      filename: 'requirements.txt',
      code: 'numpy\ntorch>=2.0\n',
      errors: [
        {
          messageId: 'requirement',
          line: 2,
          column: 1,
          endLine: 2,
          endColumn: 11,
          severity: 1,
          message: requirementMessage('torch>=2.0', BOTH),
          suggestions: [{ messageId: 'raiseBound', desc: 'Change the torch specifier to `>=2.10`.', output: 'numpy\ntorch>=2.10\n' }],
        },
      ],
    },
    {
      name: 'torch>=2.6: only CVE-2026-24747',
      filename: 'requirements.txt',
      code: 'torch>=2.6\n',
      errors: [
        {
          messageId: 'requirement',
          line: 1,
          message: requirementMessage('torch>=2.6', SECOND),
          suggestions: [{ messageId: 'raiseBound', output: 'torch>=2.10\n' }],
        },
      ],
    },
    {
      name: 'torch!=2.5.*,>=2.5 allows nothing up to 2.5.1, but 2.6 to 2.9.1: only CVE-2026-24747; the exclusion is kept',
      filename: 'requirements.txt',
      code: 'torch!=2.5.*,>=2.5\n',
      errors: [
        {
          messageId: 'requirement',
          message: requirementMessage('torch!=2.5.*,>=2.5', SECOND),
          suggestions: [{ messageId: 'raiseBound', output: 'torch!=2.5.*,>=2.10\n' }],
        },
      ],
    },
    {
      name: 'spacing, an upper bound, a marker and a comment are kept',
      filename: 'requirements/base.txt',
      code: 'torch >= 2.0, < 3 ; python_version > "3.8"  # CI\r\n',
      errors: [
        {
          messageId: 'requirement',
          line: 1,
          column: 1,
          endColumn: 18,
          message: requirementMessage('torch >= 2.0, < 3', BOTH),
          suggestions: [{ output: 'torch >= 2.10, < 3 ; python_version > "3.8"  # CI\r\n' }],
        },
      ],
    },
    {
      name: 'an upper bound below the fix: reported without a suggestion',
      filename: 'requirements.txt',
      code: 'torch>=2.0,<2.6\n',
      errors: [{ messageId: 'requirement', message: requirementMessage('torch>=2.0,<2.6', BOTH) }],
    },
    {
      name: 'a pin moves to the fixed release; a bare name and extras get a lower bound',
      filename: 'requirements.txt',
      code: 'torch==2.5.1\ntorch[opt]; sys_platform == "linux"\n',
      errors: [
        { messageId: 'requirement', line: 1, suggestions: [{ output: 'torch==2.10.0\ntorch[opt]; sys_platform == "linux"\n' }] },
        {
          messageId: 'requirement',
          line: 2,
          column: 1,
          endColumn: 11,
          message: requirementMessage('torch[opt]', BOTH),
          suggestions: [{ output: 'torch==2.5.1\ntorch[opt]>=2.10; sys_platform == "linux"\n' }],
        },
      ],
    },
    {
      name: 'a pinned wheel URL: reported, not rewritten',
      filename: 'requirements.txt',
      code: 'https://download.pytorch.org/whl/cpu/torch-2.1.0%2Bcpu-cp310-cp310-linux_x86_64.whl\n',
      errors: [{ messageId: 'requirement', line: 1, column: 1, message: requirementMessage('torch==2.1.0', BOTH) }],
    },
    {
      name: 'pyproject.toml: PEP 621 (inside the quotes) and Poetry (caret kept)',
      filename: 'pyproject.toml',
      code: '[project]\ndependencies = [\n  "torch>=2.4",\n]\n\n[tool.poetry.dependencies]\ntorch = "^2.0"\n',
      errors: [
        {
          messageId: 'requirement',
          line: 3,
          column: 4,
          endColumn: 14,
          message: requirementMessage('torch>=2.4', BOTH),
          suggestions: [
            {
              output: '[project]\ndependencies = [\n  "torch>=2.10",\n]\n\n[tool.poetry.dependencies]\ntorch = "^2.0"\n',
            },
          ],
        },
        {
          messageId: 'requirement',
          line: 7,
          column: 1,
          message: requirementMessage('torch = "^2.0"', BOTH),
          suggestions: [
            {
              desc: 'Change the torch specifier to `^2.10`.',
              output: '[project]\ndependencies = [\n  "torch>=2.4",\n]\n\n[tool.poetry.dependencies]\ntorch = "^2.10"\n',
            },
          ],
        },
      ],
    },
    {
      name: 'setup.cfg install_requires',
      filename: 'setup.cfg',
      code: '[metadata]\nname = x\n\n[options]\ninstall_requires =\n    numpy\n    torch>=2.1,<3\n',
      errors: [
        {
          messageId: 'requirement',
          line: 7,
          column: 5,
          suggestions: [{ output: '[metadata]\nname = x\n\n[options]\ninstall_requires =\n    numpy\n    torch>=2.10,<3\n' }],
        },
      ],
    },
    {
      name: 'environment.yml: a conda spec and a pip one; a conda fuzzy version is not rewritten',
      filename: 'environment.yml',
      code: 'dependencies:\n  - pytorch-cuda=12.1\n  - pytorch>=2.0\n  - pip:\n      - torch==2.5.*\n',
      errors: [
        {
          messageId: 'requirement',
          line: 3,
          column: 5,
          message: requirementMessage('pytorch>=2.0', BOTH),
          suggestions: [{ output: 'dependencies:\n  - pytorch-cuda=12.1\n  - pytorch>=2.10\n  - pip:\n      - torch==2.5.*\n' }],
        },
        { messageId: 'requirement', line: 5, column: 9, message: requirementMessage('torch==2.5.*', BOTH) },
      ],
    },
    {
      name: 'environment.yml: conda fuzzy version',
      filename: 'environment.yml',
      code: 'dependencies:\n  - pytorch=2.5\n',
      errors: [{ messageId: 'requirement', line: 2, column: 5, message: requirementMessage('pytorch=2.5', BOTH) }],
    },
    {
      name: 'setup.py: at the string, through a module-level list',
      filename: 'setup.py',
      code: 'from setuptools import setup\nREQS = ["numpy", "torch>=2.6"]\nsetup(install_requires=REQS)\n',
      errors: [
        {
          messageId: 'requirement',
          line: 2,
          column: 18,
          endColumn: 30,
          severity: 1,
          message: requirementMessage('torch>=2.6', SECOND),
          suggestions: [{ output: 'from setuptools import setup\nREQS = ["numpy", "torch>=2.10"]\nsetup(install_requires=REQS)\n' }],
        },
      ],
    },
    {
      name: 'an argparse path with weights_only=True on torch>=2.0: an error naming both advisories',
      code: `${ARGPARSE}sd = torch.load(args.ckpt, weights_only=True)\n`,
      torch: '>=2.0',
      errors: [
        {
          messageId: 'untrustedLoad',
          line: 6,
          column: 6,
          severity: 2,
          message:
            '`torch.load()` loads a file from the command-line argument `args.ckpt` from argparse (line 5), and `torch>=2.0` ' +
            '(requirements.txt) allows torch releases where even `weights_only=True` lets a malicious file run code: ' +
            `${BOTH}. Require torch>=2.10.`,
        },
      ],
    },
    {
      name: 'sys.argv on torch>=2.6 without weights_only (True by default there): only CVE-2026-24747',
      code: `${ARGV}sd = torch.load(sys.argv[1])\n`,
      torch: '>=2.6',
      errors: [
        {
          messageId: 'untrustedLoad',
          line: 3,
          severity: 2,
          data: {
            callee: 'torch.load',
            via: '',
            source: 'the command line (sys.argv)',
            line: '3',
            spec: 'torch>=2.6',
            where: 'requirements.txt',
            advisories: SECOND,
            fixed: '2.10',
          },
        },
      ],
    },
    {
      name: 'sys.argv without weights_only where torch < 2.6 is allowed: reported too (after --fix it is the same load)',
      code: `${ARGV}sd = torch.load(sys.argv[1])\n`,
      torch: '>=2.0',
      errors: [{ messageId: 'untrustedLoad', line: 3, severity: 2, message: /: CVE-2025-32434 .* and CVE-2026-24747 .*\. Require torch>=2\.10\.$/ }],
    },
    {
      name: 'torch!=2.5.*,>=2.5 with an untrusted load: no CVE-2025-32434, CVE-2026-24747 applies',
      code: `${ARGV}sd = torch.load(sys.argv[1], weights_only=True)\n`,
      torch: '!=2.5.*,>=2.5',
      errors: [{ messageId: 'untrustedLoad', severity: 2, message: /: CVE-2026-24747 \(GHSA-63cw-57p8-fm3p, torch <=2\.9\.1\)\. Require torch>=2\.10\.$/ }],
    },
    {
      name: 'nothing declared: any torch may be installed',
      code: 'import os\nimport torch\nsd = torch.load(os.environ["CKPT"], weights_only=True)\n',
      errors: [
        {
          messageId: 'untrustedLoadUndeclared',
          line: 3,
          severity: 2,
          message:
            '`torch.load()` loads a file from an environment variable (os.environ["CKPT"]) (line 3), and the project declares ' +
            'no torch requirement, so any torch may run it, including releases where even `weights_only=True` lets a ' +
            `malicious file run code: ${BOTH}. Declare torch>=2.10.`,
        },
      ],
    },
    {
      name: 'a project wrapper: its call with an untrusted path, and the load inside it that the path reaches',
      code: `${ARGV}\ndef load_ckpt(path, weights_only=True):\n    return torch.load(path, map_location="cpu", weights_only=weights_only)\n\nsd = load_ckpt(sys.argv[1])\n`,
      files: { 'requirements.txt': 'torch>=2.6\n' },
      errors: [
        { messageId: 'untrustedLoad', line: 5, message: /^`torch\.load\(\)` loads a file from the command line \(sys\.argv\) \(line 7\)/ },
        {
          messageId: 'untrustedLoad',
          line: 7,
          message: /^`load_ckpt\(\)` \(which wraps torch\.load, test\.py:4\) loads a file from the command line \(sys\.argv\) \(line 7\)/,
        },
      ],
    },
    {
      name: 'through the pipeline: the declaration named with its line, even when the rule is configured as a warning',
      code: `${ARGV}sd = torch.load(sys.argv[1], weights_only=True)\n`,
      files: { 'requirements.txt': 'numpy\n\ntorch>=2.4\n' },
      severity: 'warn',
      errors: [
        {
          messageId: 'untrustedLoad',
          severity: 2,
          message: /and `torch>=2\.4` \(requirements\.txt:3\) allows torch releases/,
        },
      ],
    },
  ],
});

describe('torch-vulnerable-version through the CLI', () => {
  const only = ['--rule', 'checkpoint-unsafe-globals:off', '--rule', 'torch-load-missing-weights-only:off'];

  test('JSON: the requirement line with its suggestion, and the untrusted load naming it', async () => {
    const dir = tempRepo({
      '.git/HEAD': '',
      'requirements.txt': '# runtime\nnumpy>=1.24\ntorch>=2.6,<3  # CUDA 12\n',
      'train.py': `${ARGV}sd = torch.load(sys.argv[1], weights_only=True)\nref = torch.load("ref.pt", weights_only=True)\n`,
    });
    const { code, stdout } = await cli(dir, '-f', 'json', ...only);
    expect(code).toBe(1);
    const results = JSON.parse(stdout) as { filePath: string; messages: Record<string, unknown>[] }[];
    const ours = (file: string) => results.find((r) => r.filePath.endsWith(file))!.messages.filter((m) => m.ruleId === 'torch-vulnerable-version');
    expect(ours('requirements.txt')).toEqual([
      {
        ruleId: 'torch-vulnerable-version',
        messageId: 'requirement',
        severity: 1,
        message: requirementMessage('torch>=2.6,<3', SECOND),
        line: 3,
        column: 1,
        endLine: 3,
        endColumn: 14,
        suggestions: [
          {
            messageId: 'raiseBound',
            desc: 'Change the torch specifier to `>=2.10,<3`.',
            fix: { range: [27, 35], text: '>=2.10,<3', safety: 'unsafe' },
          },
        ],
      },
    ]);
    expect(ours('train.py').map((m) => [m.messageId, m.line, m.severity])).toEqual([['untrustedLoad', 3, 2]]);
    expect(ours('train.py')[0].message).toContain('`torch>=2.6,<3` (requirements.txt:3)');
  });

  test('a UTF-16 requirements file (PowerShell `>`) is read, not a decoding error', async () => {
    const text = 'numpy==1.26.4\r\ntorch==2.5.1\r\n';
    const dir = tempRepo({ 'requirements.txt': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) });
    const { stdout } = await cli(dir, '-f', 'json', ...only);
    const [result] = JSON.parse(stdout) as { messages: { ruleId: string; line: number; fatal?: boolean }[] }[];
    expect(result.messages.map((m) => [m.ruleId, m.line, m.fatal])).toEqual([['torch-vulnerable-version', 2, undefined]]);
  });

  test('requirements files in subfolders of requirements/ (Lightning: requirements/fabric/base.txt), linted or named', async () => {
    const dir = tempRepo({ 'requirements.txt': '-r requirements/fabric/base.txt\n', 'requirements/fabric/base.txt': '# pins\n\ntorch >=2.1.0, <2.10.0\n' });
    const lines = (stdout: string) =>
      (JSON.parse(stdout) as { filePath: string; messages: { line: number; messageId: string }[] }[]).flatMap((r) =>
        r.messages.map((m) => `${path.relative(dir, r.filePath)}:${m.line} ${m.messageId}`),
      );
    expect(lines((await cli(dir, '-f', 'json', ...only)).stdout)).toEqual(['requirements/fabric/base.txt:3 requirement']);
    expect(lines((await cli(dir, '-f', 'json', ...only, 'requirements/fabric/base.txt')).stdout)).toEqual(['requirements/fabric/base.txt:3 requirement']);
  });

  test('SARIF: the rule with its security severity, the result at the requirement line', async () => {
    const dir = tempRepo({ '.git/HEAD': '', 'requirements.txt': 'torch>=2.0\n', 'a.py': 'import torch\n' });
    const log = JSON.parse((await cli(dir, '-f', 'sarif', ...only)).stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    const run = log.runs[0];
    const meta = run.tool.driver.rules.find((r: { id: string }) => r.id === 'torch-vulnerable-version');
    expect(meta.properties).toEqual({
      tags: ['security', 'external/cwe/cwe-502', 'external/cwe/cwe-1395'],
      precision: 'high',
      'security-severity': '9.3',
    });
    expect(meta.defaultConfiguration).toEqual({ level: 'warning' });
    expect(
      run.results.map((r: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: object } }[] }) => [
        r.ruleId,
        r.level,
        r.locations[0].physicalLocation.artifactLocation.uri,
        r.locations[0].physicalLocation.region,
      ]),
    ).toEqual([['torch-vulnerable-version', 'warning', 'requirements.txt', { startLine: 1, startColumn: 1, endLine: 1, endColumn: 11 }]]);
  });
});
