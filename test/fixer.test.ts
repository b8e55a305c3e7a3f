import { applyFixes, mergeFixes } from '../src/engine/fixer';

describe('applyFixes', () => {
  test('applies fixes in range order whatever their input order', () => {
    const result = applyFixes('abcdef', [
      { range: [4, 5], text: 'E' },
      { range: [0, 1], text: 'A' },
    ]);
    expect(result).toEqual({ output: 'AbcdEf', applied: [0, 1] });
  });

  test('skips a fix that overlaps one already taken', () => {
    const result = applyFixes('abcdef', [
      { range: [1, 4], text: 'X' },
      { range: [3, 5], text: 'Y' },
    ]);
    expect(result).toEqual({ output: 'aXef', applied: [0] });
  });

  test('two inserts at one offset: only the first applies', () => {
    expect(
      applyFixes('ab', [
        { range: [1, 1], text: 'x' },
        { range: [1, 1], text: 'y' },
      ]),
    ).toEqual({ output: 'axb', applied: [0] });
  });

  test('throws on a range outside the text', () => {
    expect(() => applyFixes('ab', [{ range: [1, 9], text: '' }])).toThrow(RangeError);
  });

  test('offsets are UTF-16 code units', () => {
    expect(applyFixes('\u{1F600}x', [{ range: [2, 3], text: 'y' }]).output).toBe('\u{1F600}y');
  });
});

describe('mergeFixes', () => {
  test('joins edits into one fix spanning them', () => {
    expect(
      mergeFixes('0123456789', [
        { range: [6, 7], text: 'B' },
        { range: [2, 3], text: 'A' },
      ]),
    ).toEqual({ range: [2, 7], text: 'A345B' });
  });
});
