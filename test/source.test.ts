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
      'The encoding "klingon" declared in the coding comment (PEP 263) is unknown or not supported by pylint-torch (it decodes UTF-8, ASCII, Latin-1, ISO 8859, Windows code pages, cp437, cp850, cp866, KOI8, Mac Roman and the common CJK codecs); this file was not checked.',
    );
    expect(() => decodePython(Buffer.from([0x78, 0xff, 0x0a]))).toThrow('Cannot decode the file as UTF-8, the default for Python source (PEP 3120)');
    expect(() => decodePython(Buffer.concat([Buffer.from('# coding: utf-8\n'), Buffer.from([0xff])]))).toThrow('Cannot decode the file as utf-8');
  });

  const withCookie = (codec: string, body: number[]) => Buffer.concat([Buffer.from(`# coding: ${codec}\ns = "`), Buffer.from(body), Buffer.from('"\n')]);

  test.each([
    // byte 0x82 and 0xE9 in each code page, as CPython's codec tables give them
    ['cp437', [0x82, 0xe9], '\u00e9\u0398'],
    ['cp850', [0x82, 0xe9], '\u00e9\u00da'],
    ['IBM437', [0x9e], '\u20a7'],
    ['latin-1', [0x80, 0xe9], '\u0080\u00e9'],
    ['iso-8859-1', [0x93], '\u0093'],
    ['cp1252', [0x80, 0x93, 0xff], '\u20ac\u201c\u00ff'],
    ['windows-1251', [0xc0], '\u0410'],
    ['iso8859_9', [0x80, 0xfd], '\u0080\u0131'],
    ['iso8859_15', [0xa4], '\u20ac'],
    ['cp866', [0x80], '\u0410'],
    ['koi8_r', [0xc1], '\u0430'],
    ['mac_roman', [0xf0], '\uf8ff'],
  ])('a %s cookie decodes single bytes as Python does, and fixed text is encoded back', (codec, body, text) => {
    const bytes = withCookie(codec, body);
    const source = decodePython(bytes);
    expect(source.text).toBe(`# coding: ${codec}\ns = "${text}"\n`);
    expect(source.writable).toBe(true);
    expect(source.encode(source.text.replace('s =', 't ='))).toEqual(Buffer.from(bytes.toString('latin1').replace('s =', 't ='), 'latin1'));
  });

  test.each([
    ['cp1252', [0x81]],
    ['ascii', [0xe9]],
    ['cp1253', [0xaa]],
    ['iso8859_11', [0xdb]],
  ])('a byte %s leaves undefined is a decode error, as in Python', (codec, body) => {
    expect(() => decodePython(withCookie(codec, body))).toThrow(
      `Cannot decode the file as ${codec}, the encoding its coding comment declares; nothing was checked.`,
    );
  });

  test.each([
    ['iso2022_jp', Buffer.from('1b2442467c4b5c1b2842', 'hex'), '\u65e5\u672c'],
    ['shift_jis', Buffer.from('93fa967b', 'hex'), '\u65e5\u672c'],
    ['euc_jp', Buffer.from('c6fccbdc', 'hex'), '\u65e5\u672c'],
    ['gbk', Buffer.from('d6d0cec4', 'hex'), '\u4e2d\u6587'],
    ['big5', Buffer.from('a4a4a4e5', 'hex'), '\u4e2d\u6587'],
  ])('a %s file is decoded (read only: fixes are not written in it)', (codec, body, text) => {
    const source = decodePython(withCookie(codec, [...body]));
    expect([source.text, source.encoding, source.writable]).toEqual([`# coding: ${codec}\ns = "${text}"\n`, codec, false]);
  });

  test.each(['utf-7', 'idna', 'hz', 'cp037', 'iso8859_16', 'cp949'])('a %s cookie is reported as unsupported, naming the codec', (codec) => {
    expect(() => decodePython(Buffer.from(`# coding: ${codec}\nx = 1\n`))).toThrow(
      `The encoding "${codec}" declared in the coding comment (PEP 263) is unknown or not supported by pylint-torch`,
    );
  });

  test('Python spellings of UTF-8 and Latin-1 are accepted', () => {
    for (const codec of ['UTF8', 'utf_8_sig', 'utf-8-unix', 'u8', 'Latin-1', 'latin1', 'L1', 'iso-8859-1-unix'])
      expect(decodePython(Buffer.from(`# coding: ${codec}\nx = 1\n`)).text).toBe(`# coding: ${codec}\nx = 1\n`);
  });

  test('a file with lone-CR line ends is read with LF, offset for offset, and written back with CR', () => {
    const bytes = Buffer.from('# caf\u00e9\rx = 1\r', 'utf8');
    const source = decodePython(bytes);
    expect(source.text).toBe('# caf\u00e9\nx = 1\n');
    expect(source.encode('# caf\u00e9\nx = 2\ny = 3\n')).toEqual(Buffer.from('# caf\u00e9\rx = 2\ry = 3\r', 'utf8'));
    expect(source.fileText('x = 2\n')).toBe('x = 2\r');
    // CRLF and LF files are left as they are
    expect(decodePython(Buffer.from('x = 1\r\ny = 2\r\n')).text).toBe('x = 1\r\ny = 2\r\n');
  });

  test('a file mixing lone CR, LF and CRLF: each lone CR read as LF, every kept line end written back as it was', () => {
    const bytes = Buffer.from('a = 1\rb = 2\nc = 3\r\nd = 4\re = 5\n', 'utf8');
    const source = decodePython(bytes);
    expect(source.text).toBe('a = 1\nb = 2\nc = 3\r\nd = 4\ne = 5\n');
    // unchanged: the same bytes
    expect(source.encode(source.text)).toEqual(bytes);
    // a change inside lines, and lines replaced: the other line ends are the file's own
    expect(source.encode('a = 1\nb = 20\nc = 3\r\nd = 40\ne = 5\n')).toEqual(Buffer.from('a = 1\rb = 20\nc = 3\r\nd = 40\re = 5\n'));
    // an inserted line takes a lone CR after a lone-CR line, an LF after an LF line, CRLF as written
    expect(source.fileText('a = 1\nx = 0\nb = 2\ny = 0\nc = 3\r\nz = 0\r\nd = 4\ne = 5\n')).toBe(
      'a = 1\rx = 0\rb = 2\ny = 0\nc = 3\r\nz = 0\r\nd = 4\re = 5\n',
    );
    // a line inserted first takes the file's first line end
    expect(source.fileText('import os\na = 1\nb = 2\nc = 3\r\nd = 4\ne = 5\n')).toBe('import os\ra = 1\rb = 2\nc = 3\r\nd = 4\re = 5\n');
  });
});
