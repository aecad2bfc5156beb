import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

describe("markdown", () => {
  it("renders Markdown", () => {
    const html = renderMarkdown("# Title\n\n**bold** and `code`\n\n```py\nx = 1\n```");
    expect(html).toContain("<h1>Title</h1>");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain('<code class="language-py">x = 1\n</code>');
  });

  it("never interprets raw HTML from the model", () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">');
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;");
  });

  it("drops javascript: links and opens others in a new tab without referrer", () => {
    expect(renderMarkdown("[x](javascript:alert(1))")).not.toContain("href");
    const html = renderMarkdown("[docs](https://example.com)");
    expect(html).toContain('href="https://example.com"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
  });

  it("typesets inline and display math with KaTeX", () => {
    const html = renderMarkdown(
      "Energy $E=mc^2$ and \\(\\frac{a}{b}\\):\n\n$$\n\\sum_{i=1}^n i\n$$\n\n\\[\nx^2\n\\]\n",
    );
    expect(html.match(/class="katex"/g)?.length).toBe(4);
    expect(html.match(/class="katex-display"/g)?.length).toBe(2);
    expect(html).toContain("<math");
    expect(html).not.toContain("$E=mc^2$");
  });

  it("leaves prices as text, as the desktop does", () => {
    const html = renderMarkdown("It costs $5 and $10, or $ 3 $.");
    expect(html).not.toContain("katex");
    expect(html).toContain("It costs $5 and $10, or $ 3 $.");
    expect(renderMarkdown("$x$ is 5")).toContain('class="katex"');
  });

  it("shows malformed LaTeX as its source without throwing", () => {
    const html = renderMarkdown("broken $\\frac{a$ here");
    expect(html).toContain("katex-error");
    expect(html).toContain("\\frac{a");
  });

  it("never trusts a formula: no links, no huge or endless expansions", () => {
    const link = renderMarkdown("$\\href{javascript:alert(1)}{x}$");
    expect(link).not.toContain("href=");
    expect(link).not.toMatch(/<a[\s>]/);
    const bomb = renderMarkdown(
      "$\\def\\a{\\b\\b}\\def\\b{\\c\\c}\\def\\c{\\d\\d}\\def\\d{xxxxxxxx}" +
        "\\def\\e{\\a\\a\\a\\a}\\e\\e\\e\\e\\e\\e\\e\\e$",
    );
    expect(bomb).toContain("katex-error");
    const rule = renderMarkdown("$\\rule{1000em}{1000em}$"); // clamped to maxSize
    expect(rule).not.toMatch(/style="[^"]*1000em/);
    expect(rule).toContain("border-right-width:20em");
  });

  it("refuses hostile formulas before KaTeX sees them", () => {
    const nested = "{".repeat(10_000) + "x" + "}".repeat(10_000);
    expect(renderMarkdown(`$${nested}$`)).toContain('<code class="math-source">');
    const huge = "x+".repeat(500_000) + "x";
    expect(renderMarkdown(`$${huge}$`)).toContain('<code class="math-source">');
  });

  it("shows an open display block as its source until it closes", () => {
    const open = renderMarkdown("$$\n\\sum_k k\n");
    expect(open).toContain('<pre class="math-source"><code>$$\n\\sum_k k</code></pre>');
    expect(open).not.toContain("katex");
    expect(renderMarkdown("$$\n\\sum_k k\n$$\n")).toContain("katex-display");
  });
});

