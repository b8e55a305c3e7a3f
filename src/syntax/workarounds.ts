/**
 * Workarounds for three places where tree-sitter-python 0.25.0 (the grammar in wasm/) rejects valid Python, found on
 * CPython's own test suite and on real repositories. Both are fixed here by hiding a few characters from the parser
 * (tree-sitter's included ranges), never by changing the text: node offsets, rows, columns and `node.text` stay
 * those of the file, so fixes and messages are unaffected.
 *
 * 1. A line break inside brackets followed by a line indented less than the statement, after a token that cannot
 *    be followed by a closing bracket (`(a +`, `x.`, `f(a and`):
 *
 *        def f():
 *            return (a +
 *        b)
 *
 *    Python joins lines inside brackets and ignores their indentation (the reference manual, "Implicit line
 *    joining"). The grammar's scanner (src/scanner.c) only knows it is inside brackets when a closing bracket is a
 *    valid next token, so after `+` it emits a DEDENT and the statement, often the whole file, becomes an ERROR.
 *    Upstream: tree-sitter/tree-sitter-python#256 (open), #178. Workaround: hide the line break and the whitespace
 *    and comments around it, keeping one blank so that tokens do not merge.
 * 2. An f-string replacement field whose format spec starts with `=` (fill or alignment): `f"{x:=^10}"`,
 *    `f"{n:=10}"`. Python reads `:` as the start of the spec (an assignment expression needs parentheses there,
 *    PEP 572 and the reference manual, "f-strings"); the grammar lexes `:=` as the walrus operator, and `=^10` is an
 *    error. Upstream: tree-sitter/tree-sitter-python#164 (closed without a fix). Workaround: hide the `=`; the parser
 *    then sees a format spec, which the rules never read.
 * 3. `*` unpacking an operand that does not start with a name, after a comma at bracket depth 0: `x = a, *[b]`,
 *    `return 0, *(q)`, `a, *"bc"`. The grammar's `expression_list` has no `list_splat` item (`a, *b` only parses as
 *    a `pattern_list`). Upstream: tree-sitter/tree-sitter-python#132 (closed, still failing in 0.25.0).
 *    Workaround: hide the `*`, only in statements where Python allows it (assignments, expression statements,
 *    `return`, `yield`, `for`; not `del`, `assert`, `with`…); the tree then shows the operand without its star.
 *
 * Hiding line breaks inside brackets is what Python's tokenizer does with them, and the `=` and `*` are hidden only
 * where Python reads them as the workarounds say, so a file that is not valid Python stays one; the caller still
 * keeps the plain parse unless the workaround one has fewer errors.
 */

/** A stretch of the text hidden from the parser: [start, end) in UTF-16 code units. */
export interface Gap {
  start: number;
  end: number;
}

/** A comment inside a hidden stretch: no tree node holds it, so directives in it come from here. */
export interface HiddenComment {
  text: string;
  /** 1-based line. */
  line: number;
  /** [start, end) in UTF-16 code units. */
  start: number;
  end: number;
}

/** What {@link grammarWorkarounds} found: the stretches to hide, sorted and disjoint, and the comments in them. */
export interface Workarounds {
  gaps: Gap[];
  comments: HiddenComment[];
}

type Frame =
  | { kind: 'bracket' } // ( [ { in code, or inside a replacement field
  | { kind: 'fstring'; quote: string } // the literal part of an f-string (or t-string); `\` escapes alike if raw
  | { kind: 'field' } // the expression of a replacement field, before any `:` or `!`
  | { kind: 'spec' }; // a replacement field's conversion and format spec

const STRING_PREFIX = /^(?:[rubfRUBFtT]|[rR][bBfFtT]|[bBfFtT][rR])$/;
/** Statements whose comma-separated lists Python lets hold `*x` (star_expressions, star_targets). */
const STARRED_STATEMENTS = new Set(['return', 'yield', 'for', 'await']);
/** Python's keywords and the soft keywords that start statements: a statement starting with another word is an
 * expression or an assignment. */
const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case type print exec'.split(
    ' ',
  ),
);
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_.]/u.test(c);
const isBlank = (c: string | undefined) => c === ' ' || c === '\t' || c === '\f';

/**
 * The stretches of `text` to hide from tree-sitter-python 0.25.0 so that it parses the valid Python it would
 * otherwise reject (see the module comment), with the comments inside them. A lexer of Python's tokens just fine
 * enough to know strings, f-string fields, comments and bracket depth; linear in the text. Never throws: on text
 * that is not Python it returns whatever it found, and the caller keeps the better of the two parses.
 */
export function grammarWorkarounds(text: string): Workarounds {
  const gaps: Gap[] = [];
  const comments: HiddenComment[] = [];
  const stack: Frame[] = [];
  let line = 1;
  let statementIndent = 0; // the indentation of the line the current logical line started on
  let atLogicalLineStart = true;
  let lastTokenEnd = 0; // end of the last token in code, where a hidden stretch may start
  let statementWord = ''; // the first word of the logical line ('' when it starts with something else)

  const top = () => stack[stack.length - 1];
  const lineStartOf = (i: number) => text.lastIndexOf('\n', i - 1) + 1;
  // indentation as the grammar's scanner counts it: a tab is 8, a space 1
  const indentOf = (from: number, to: number) => {
    let n = 0;
    for (let j = from; j < to; j++) n += text[j] === '\t' ? 8 : 1;
    return n;
  };
  const token = (start: number) => {
    if (atLogicalLineStart && stack.length === 0) {
      const lineStart = lineStartOf(start);
      if (/^[ \t\f]*$/.test(text.slice(lineStart, start))) statementIndent = indentOf(lineStart, start);
      statementWord = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(text.slice(start, start + 16))?.[0] ?? '';
      atLogicalLineStart = false;
    }
  };

  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const frame = top();
    if (frame?.kind === 'fstring') {
      if (text.startsWith(frame.quote, i)) {
        stack.pop();
        i += frame.quote.length;
        lastTokenEnd = i;
      } else if (c === '\\') {
        if (text[i + 1] === '\n') line++;
        i += text[i + 1] === '{' || text[i + 1] === '}' ? 1 : 2;
      } else if (c === '{' || c === '}') {
        if (text[i + 1] === c) i += 2;
        else {
          if (c === '{') stack.push({ kind: 'field' });
          i++;
        }
      } else if (c === '\n') {
        line++;
        if (frame.quote.length === 1) stack.pop(); // unterminated: Python reports it, the parse shows it
        i++;
      } else i++;
      continue;
    }
    if (frame?.kind === 'spec') {
      if (c === '{') stack.push({ kind: 'field' });
      else if (c === '}') stack.pop();
      else if (c === '\n') line++;
      else {
        const fstring = [...stack].reverse().find((f) => f.kind === 'fstring');
        if (fstring?.kind === 'fstring' && text.startsWith(fstring.quote, i)) {
          // the string ends inside a field: not Python; leave the field
          while (top().kind !== 'fstring') stack.pop();
          continue;
        }
      }
      i++;
      continue;
    }
    // code: the module, inside brackets, or a replacement field's expression
    if (c === '\n' || c === '\r' || isBlank(c) || c === '#' || (c === '\\' && /^\\\r?\n/.test(text.slice(i, i + 3)))) {
      i = blankStretch(i);
      continue;
    }
    if (c === '"' || c === "'") {
      token(i);
      i = stringStart(i, '');
      continue;
    }
    if (/[\p{L}\p{N}_]/u.test(c)) {
      token(i);
      let j = i + 1;
      while (j < text.length && /[\p{L}\p{N}_]/u.test(text[j])) j++;
      const word = text.slice(i, j);
      if ((text[j] === '"' || text[j] === "'") && STRING_PREFIX.test(word)) i = stringStart(j, word);
      else i = lastTokenEnd = j;
      continue;
    }
    token(i);
    if (c === '*' && stack.length === 0 && text[i + 1] !== '*' && starNeedsHiding(i))
      gaps.push({ start: i, end: i + 1 });
    if (c === '(' || c === '[' || c === '{') stack.push({ kind: 'bracket' });
    else if (c === ')' || c === ']' || c === '}') {
      if (frame?.kind === 'bracket') stack.pop();
      else if (frame?.kind === 'field' && c === '}') stack.pop();
    } else if (frame?.kind === 'field' && (c === ':' || (c === '!' && text[i + 1] !== '='))) {
      stack[stack.length - 1] = { kind: 'spec' };
      if (c === ':' && text[i + 1] === '=') gaps.push({ start: i + 1, end: i + 2 });
    }
    i = lastTokenEnd = i + 1;
  }
  return { gaps, comments };

  /**
   * Workaround 3: is the `*` at `star` (bracket depth 0) one the grammar cannot read, an unpacking after a comma in
   * a statement where Python allows it, of an operand that does not start with a name?
   */
  function starNeedsHiding(star: number): boolean {
    if (!STARRED_STATEMENTS.has(statementWord) && KEYWORDS.has(statementWord)) return false;
    if (text[lastTokenEnd - 1] !== ',') return false;
    const operand = /^[ \t]*([\p{L}_][\p{L}\p{N}_]*)?(.)?/u.exec(text.slice(star + 1, star + 40))!;
    if (!operand[1]) return operand[2] !== undefined && operand[2] !== '\n' && operand[2] !== '=';
    return operand[1] === 'await' || ((operand[2] === '"' || operand[2] === "'") && STRING_PREFIX.test(operand[1]));
  }

  /** Enters the string whose quote is at `q`; returns where scanning goes on. */
  function stringStart(q: number, prefix: string): number {
    const quote = text.startsWith(text[q].repeat(3), q) ? text[q].repeat(3) : text[q];
    if (/[fFtT]/.test(prefix)) {
      stack.push({ kind: 'fstring', quote });
      return q + quote.length;
    }
    let j = q + quote.length;
    while (j < text.length && !text.startsWith(quote, j)) {
      if (text[j] === '\n') {
        line++;
        if (quote.length === 1) return (lastTokenEnd = j); // unterminated
      }
      j += text[j] === '\\' ? (text[j + 1] === '\n' ? (line++, 2) : 2) : 1;
    }
    return (lastTokenEnd = Math.min(j + quote.length, text.length));
  }

  /**
   * Skips blanks, comments, line breaks and backslash continuations from `from`; inside brackets, records the
   * stretch as a gap when the next token's line is indented less than the statement (workaround 1). Returns the
   * index of the next token (or the end).
   */
  function blankStretch(from: number): number {
    const startLine = line;
    const found: HiddenComment[] = [];
    let breaks = false;
    let j = from;
    while (j < text.length) {
      const c = text[j];
      if (c === '\n') {
        breaks = true;
        line++;
        j++;
        if (stack.length === 0) break; // the end of a logical line: the next token starts one
      } else if (c === '#') {
        const end = text.indexOf('\n', j) === -1 ? text.length : text.indexOf('\n', j);
        found.push({ text: text.slice(j, end), line, start: j, end });
        j = end;
      } else if (c === '\\' && text[j + 1] === '\n') {
        line++;
        j += 2;
      } else if (c === '\\' && text[j + 1] === '\r' && text[j + 2] === '\n') {
        line++;
        j += 3;
      } else if (c === '\r' || isBlank(c)) j++;
      else break;
    }
    if (stack.length === 0) {
      if (breaks) atLogicalLineStart = true;
      return j;
    }
    if (!breaks || j >= text.length) return j;
    // the scanner dedents at the first line after the break that holds anything, a comment included
    const firstBelow = [...found.filter((f) => f.line > startLine).map((f) => f.start), j];
    if (!firstBelow.some((at) => indentOf(lineStartOf(at), at) < statementIndent)) return j;
    // hide [lastTokenEnd, j) but one blank: the one before the next token, or after the last one
    let gap: Gap;
    if (isBlank(text[j - 1])) gap = { start: lastTokenEnd, end: j - 1 };
    else if (isBlank(text[lastTokenEnd])) gap = { start: lastTokenEnd + 1, end: j };
    else if (isWordChar(text[lastTokenEnd - 1]) && (isWordChar(text[j]) || text[j] === '"' || text[j] === "'"))
      return j; // `and\nb` cannot lose its line break without merging two tokens: left as the grammar sees it
    else gap = { start: lastTokenEnd, end: j };
    if (gap.start < gap.end) {
      gaps.push(gap);
      comments.push(...found);
    }
    return j;
  }
}
