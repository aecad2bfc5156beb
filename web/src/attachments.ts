// Attachments on the page: sizes as people read them, and the checks the desktop app
// also makes (it has the last word: its refusals come back with their own message).

import { MAX_FILE_BYTES, MAX_FILES } from "./protocol";

export function formatSize(size: number): string {
  if (size < 1024) return `${size} B`;
  let value = size;
  for (const unit of ["KB", "MB", "GB"]) {
    value /= 1024;
    if (value < 1024 || unit === "GB") return `${value.toFixed(1).replace(/\.0$/, "")} ${unit}`;
  }
  return `${size} B`;
}

/** Why these files cannot go before any byte is sent, or null. */
export function refusal(files: { name: string; size: number }[], already: number): string | null {
  const count = files.length + already;
  if (count > MAX_FILES) {
    return (
      `A prompt can carry at most ${MAX_FILES} files; this one has ${count}. ` +
      "Remove some, or send them in two prompts."
    );
  }
  const big = files.find((f) => f.size > MAX_FILE_BYTES);
  if (big) {
    return `${big.name} is ${formatSize(big.size)}: files up to ${formatSize(MAX_FILE_BYTES)} can be attached.`;
  }
  return null;
}
