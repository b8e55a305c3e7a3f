import { decodePython } from '../src/project/source';

describe('decodePython', () => {
  test('UTF-8 by default, BOM split off and put back', () => {
    const source = decodePython(Buffer.from('\uFEFFx = "\u00e9"\n', 'utf8'));
    expect([source.text, source.bom, source.encoding]).toEqual(['x = "\u00e9"\n', '\uFEFF', 'utf-8']);
    expect(source.encode('y = 1\n')).toEqual(Buffer.from('\uFEFFy = 1\n', 'utf8'));
  });

  test('a latin-1 coding cookie on line 1 or 2 is honoured, and fixed text is encoded back byte for byte', () => {
    const bytes = Buffer.concat([Buffer.from('#!/usr/bin/env python\n# -*- coding: latin-1 -*-\n# caf'), Buffer.from([0xe9]), Buffer.from('\nx = 1\n')]);
    const source = decodePython(bytes);
    expect(source.text).toBe('#!/usr/bin/env python\n# -*- coding: latin-1 -*-\n# caf\u00e9\nx = 1\n');
    expect(source.encode(source.text)).toEqual(bytes);
    expect(source.encode(source.text.replace('x = 1', 'x = 2'))).toEqual(Buffer.from(bytes.toString('latin1').replace('x = 1', 'x = 2'), 'latin1'));
    expect(source.encode('\u4e2d')).toBeUndefined();
  });

  test('a cookie on line 2 counts only after a comment or blank line 1', () => {
    expect(() => decodePython(Buffer.concat([Buffer.from('x = 1\n# coding: latin-1\n# '), Buffer.from([0xe9, 0x0a])]))).toThrow(
      'Cannot decode the file as UTF-8',
    );
  });

  test('an unknown declared encoding and undecodable bytes are clear errors', () => {
    expect(() => decodePython(Buffer.from('# coding: klingon\n'))).toThrow(
      'The encoding "klingon" declared in the coding comment (PEP 263) is unknown or not supported by pylint-torch',
    );
    expect(() => decodePython(Buffer.from([0x78, 0xff, 0x0a]))).toThrow('Cannot decode the file as UTF-8, the default for Python source (PEP 3120)');
    expect(() => decodePython(Buffer.concat([Buffer.from('# coding: utf-8\n'), Buffer.from([0xff])]))).toThrow('Cannot decode the file as utf-8');
  });
});
