// Markdown from the model, rendered safely: raw HTML is escaped, never interpreted
// (html: false), and markdown-it's link validator drops javascript:/vbscript:/file:
// URLs. The page's Content-Security-Policy also blocks images from other hosts.
// Formulas ($…$, \(…\), $$…$$, \[…\]) are typeset with KaTeX (./math.ts).

import MarkdownIt from "markdown-it";
import { mathPlugin, sourceOf } from "./math";

const md = new MarkdownIt({ html: false, linkify: true, typographer: false }).use(mathPlugin);

const defaultLinkOpen =
  md.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));

md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet("target", "_blank");
  tokens[idx].attrSet("rel", "noopener noreferrer nofollow");
  return defaultLinkOpen(tokens, idx, options, env, self);
};

export function renderMarkdown(text: string): string {
  return md.render(text);
}

/** The words of a Markdown text without its markup (Copy as plain text): inline code
 * and code blocks keep their text, links their label, formulas their LaTeX as written,
 * paragraphs and list items their own lines. Pure, so the page and its tests agree. */
export function plainText(text: string): string {
  const lines: string[] = [];
  let line = "";
  const end = () => {
    lines.push(line);
    line = "";
  };
  for (const token of md.parse(text, {})) {
    if (token.type === "inline") {
      for (const child of token.children ?? []) {
        if (child.type === "text" || child.type === "code_inline") line += child.content;
        else if (child.type === "softbreak" || child.type === "hardbreak") end();
        else if (child.type === "image") line += child.content;
        else if (child.type === "math_inline" || child.type === "math_inline_double") {
          line += sourceOf(child.content, child.markup, false);
        }
      }
    } else if (token.type === "fence" || token.type === "code_block") {
      lines.push(...token.content.replace(/\n$/, "").split("\n"));
    } else if (token.type === "math_block") {
      lines.push(...sourceOf(token.content, token.markup, true).split("\n"));
    } else if (token.type === "list_item_open") {
      line = token.info ? `${token.info}. ` : "- ";
    } else if (token.type === "paragraph_close" || token.type === "heading_close") {
      end();
    } else if (token.type === "th_open" || token.type === "td_open") {
      if (line) line += "\t";
    } else if (token.type === "tr_close") {
      end();
    }
  }
  if (line) end();
  return lines.join("\n").replace(/\n{3,}/g, "\n\n").trim();
}
