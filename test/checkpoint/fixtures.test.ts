import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempRepo } from '../helpers/cli';
import { FIXTURE_GLOBALS, FIXTURES_DIR, FIXTURES_GENERATOR } from '../helpers/fixtures';

describe('checkpoint fixtures (test/fixtures/checkpoints)', () => {
  test('the folder holds exactly the fixtures the tests know', () => {
    expect(fs.readdirSync(FIXTURES_DIR).sort()).toEqual(Object.keys(FIXTURE_GLOBALS).sort());
  });

  test('make_checkpoints.py writes the committed bytes again (no clock, no zlib, no pickle module in them)', () => {
    const out = tempRepo({});
    execFileSync('python3', [FIXTURES_GENERATOR, out]);
    const written = fs.readdirSync(out).sort();
    expect(written).toEqual(fs.readdirSync(FIXTURES_DIR).sort());
    for (const name of written) {
      const same = fs.readFileSync(path.join(out, name)).equals(fs.readFileSync(path.join(FIXTURES_DIR, name)));
      expect([name, same]).toEqual([name, true]);
    }
  });
});
