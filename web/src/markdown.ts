// Markdown from the model, rendered safely: raw HTML is escaped, never interpreted
// (html: false), and markdown-it's link validator drops javascript:/vbscript:/file:
// URLs. The page's Content-Security-Policy also blocks images from other hosts.
// Formulas ($…$, \(…\), $$…$$, \[…\]) are typeset with KaTeX (./math.ts).

import MarkdownIt from "markdown-it";
import { mathPlugin } from "./math";

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
