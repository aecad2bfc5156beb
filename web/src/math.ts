// Math in the companion page, with the desktop's rules (streamchat_desktop/ui/transcript/
// math_syntax.py): inline $…$ with dollarmath's pandoc rules (no space inside the dollars,
// no digit before the opening or after the closing one, so "$5 and $10" stays text),
// $$…$$ and \(…\) inline, and display blocks opened by a line of just $$ or \[ that run to
// their closing line (or their container's end), at most MAX_DISPLAY_LINES lines.
//
// Model output is untrusted: KaTeX runs with trust off (no \href, \url, \includegraphics,
// \htmlClass…), throwOnError off (a malformed formula shows as its source, styled as
// code), and limits on sizes and macro expansion; a formula longer than MAX_LATEX
// characters or nested deeper than MAX_NESTING is shown as code without parsing it.

import katex from "katex";
import type { MarkdownIt, StateBlock, StateInline } from "markdown-it";

export const MAX_DISPLAY_LINES = 40;
export const MAX_LATEX = 2_000;
export const MAX_NESTING = 30;

const DISPLAY: Record<string, string> = { $$: "$$", "\\[": "\\]" };
const CLOSING: Record<string, string> = { $: "$", $$: "$$", "\\(": "\\)", "\\[": "\\]" };

export function refusal(latex: string): string | null {
  if (latex.length > MAX_LATEX) return "too long";
  let depth = 0;
  let deepest = 0;
  const tokens = /\\\\|\\[{}]|\\begin\b|\\left\b|\{|\\end\b|\\right\b|\}/g;
  for (const match of latex.matchAll(tokens)) {
    const token = match[0];
    if (token === "\\\\" || token === "\\{" || token === "\\}") continue;
    depth += token === "{" || token === "\\begin" || token === "\\left" ? 1 : -1;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_NESTING) return "nested too deep";
  }
  return null;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** A formula as KaTeX HTML (with MathML for screen readers), or its source as code. */
export function renderFormula(latex: string, source: string, display: boolean): string {
  if (refusal(latex) !== null || !latex.trim()) {
    const code = `<code class="math-source">${escapeHtml(source)}</code>`;
    return display ? `<pre class="math-source">${code}</pre>` : code;
  }
  return katex.renderToString(latex, {
    displayMode: display,
    throwOnError: false,
    trust: false,
    strict: "ignore",
    maxSize: 20, // em: no \rule or \kern covering the page
    maxExpand: 200, // macro expansions: no exponential \def bombs
    output: "htmlAndMathml",
  });
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= "0" && char <= "9";
}

function isSpace(char: string | undefined): boolean {
  return char === undefined || /\s/.test(char);
}

function escaped(src: string, pos: number): boolean {
  let start = pos;
  while (start > 0 && src[start - 1] === "\\") start -= 1;
  return (pos - start) % 2 === 1;
}

function dollarInline(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src[start] !== "$" || start + 1 >= src.length || isSpace(src[start + 1])) return false;
  if ((start > 0 && isDigit(src[start - 1])) || escaped(src, start)) return false;
  const double = src[start + 1] === "$";
  let pos = start + 1 + (double ? 1 : 0);
  let end: number;
  for (;;) {
    end = src.indexOf("$", pos);
    if (end < 0) return false;
    if (escaped(src, end) || (double && src[end + 1] !== "$")) {
      pos = end + 1;
      continue;
    }
    break;
  }
  const after = end + 1 + (double ? 1 : 0);
  if (isSpace(src[end - 1]) || isDigit(src[after])) return false;
  const content = double ? src.slice(start + 2, end) : src.slice(start + 1, end);
  if (!content) return false;
  if (!silent) {
    const token = state.push(double ? "math_inline_double" : "math_inline", "math", 0);
    token.content = content;
    token.markup = double ? "$$" : "$";
  }
  state.pos = after;
  return true;
}

function parenInline(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const pos = state.pos;
  if (!src.startsWith("\\(", pos)) return false;
  const end = src.indexOf("\\)", pos + 2);
  if (end < 0 || !src.slice(pos + 2, end).trim()) return false;
  if (!silent) {
    const token = state.push("math_inline", "math", 0);
    token.content = src.slice(pos + 2, end);
    token.markup = "\\(";
  }
  state.pos = end + 2;
  return true;
}

function lineText(state: StateBlock, line: number): string {
  return state.src.slice(state.bMarks[line] + state.tShift[line], state.eMarks[line]);
}

function opening(first: string): [string, string, string | null] | null {
  for (const [open, close] of Object.entries(DISPLAY)) {
    if (first === open) return [open, close, null];
    const inner = first.slice(open.length, first.length - close.length);
    if (
      first.length > open.length + close.length &&
      first.startsWith(open) &&
      first.endsWith(close) &&
      !inner.includes(close) &&
      inner.trim()
    ) {
      return [open, close, inner];
    }
  }
  return null;
}

function displayBlock(state: StateBlock, start: number, end: number, silent: boolean): boolean {
  if (state.sCount[start] - state.blkIndent >= 4) return false; // indented code
  const found = opening(lineText(state, start).trimEnd());
  if (found === null) return false;
  if (silent) return true;
  const [open, close, oneLine] = found;
  if (oneLine !== null) {
    push(state, oneLine, open, start, start + 1, true);
    return true;
  }
  let line = start;
  let closed = false;
  while (line + 1 < end && line + 1 - start < MAX_DISPLAY_LINES) {
    const text = lineText(state, line + 1);
    if (text && state.sCount[line + 1] < state.blkIndent) break; // leaves the container
    line += 1;
    if (text.trimEnd() === close && state.sCount[line] - state.blkIndent < 4) {
      closed = true;
      break;
    }
  }
  const content = state.getLines(start + 1, closed ? line : line + 1, state.sCount[start], true);
  push(state, content, open, start, line + 1, closed);
  return true;
}

function push(
  state: StateBlock,
  content: string,
  markup: string,
  start: number,
  stop: number,
  closed: boolean,
): void {
  state.line = stop;
  const token = state.push("math_block", "math", 0);
  token.content = content;
  token.markup = markup;
  token.block = true;
  token.map = [start, stop];
  token.meta = { closed };
}

/** A formula as written, delimiters included (what Copy gives). */
export function sourceOf(content: string, markup: string, display: boolean): string {
  const close = CLOSING[markup] ?? markup;
  if (display) return `${markup}\n${content.replace(/\n+$/, "")}\n${close}`;
  return `${markup}${content}${close}`;
}

/** Adds the math rules and their rendering to ``md``. */
export function mathPlugin(md: MarkdownIt): void {
  md.inline.ruler.before("escape", "math_dollar", dollarInline);
  md.inline.ruler.before("escape", "math_paren", parenInline);
  md.block.ruler.before("fence", "display_math", displayBlock, {
    alt: ["paragraph", "reference", "blockquote", "list"],
  });
  md.renderer.rules.math_inline = (tokens, idx) => {
    const token = tokens[idx];
    return renderFormula(token.content, sourceOf(token.content, token.markup, false), false);
  };
  md.renderer.rules.math_inline_double = (tokens, idx) => {
    const token = tokens[idx];
    return renderFormula(token.content, sourceOf(token.content, token.markup, false), true);
  };
  md.renderer.rules.math_block = (tokens, idx) => {
    const token = tokens[idx];
    const source = sourceOf(token.content, token.markup, true);
    const closed = Boolean(token.meta?.closed);
    if (!closed) {
      const open = source.slice(0, source.lastIndexOf("\n"));
      return `<pre class="math-source"><code>${escapeHtml(open)}</code></pre>\n`;
    }
    return `<div class="math-display">${renderFormula(token.content, source, true)}</div>\n`;
  };
}
