import { describe, expect, it } from "vitest";
import { formatSize, refusal } from "./attachments";

describe("attachments", () => {
  it("formats sizes as the desktop app does", () => {
    expect(formatSize(0)).toBe("0 B");
    expect(formatSize(1023)).toBe("1023 B");
    expect(formatSize(1024)).toBe("1 KB");
    expect(formatSize(1536)).toBe("1.5 KB");
    expect(formatSize(20 * 1024 * 1024)).toBe("20 MB");
  });

  it("refuses too many files with the desktop app's words", () => {
    const files = Array.from({ length: 3 }, (_, i) => ({ name: `f${i}`, size: 1 }));
    expect(refusal(files, 8)).toBe(
      "A prompt can carry at most 10 files; this one has 11. Remove some, or send them in two prompts.",
    );
    expect(refusal(files, 7)).toBeNull();
  });

  it("refuses a file over 20 MB before uploading it", () => {
    expect(refusal([{ name: "big.pdf", size: 21 * 1024 * 1024 }], 0)).toBe(
      "big.pdf is 21 MB: files up to 20 MB can be attached.",
    );
  });
});
