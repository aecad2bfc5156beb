// Small line icons for the message actions, drawn as SVG so no font needs the glyphs
// (emoji and symbol characters showed as empty boxes where the font lacked them).

const PATHS = {
  copy: "M9 9h10v12H9z M5 15H4V3h11v1",
  text: "M4 6h16 M4 10h16 M4 14h10 M4 18h12",
  edit: "M4 20h4L19 9l-4-4L4 16z M13 7l4 4",
  regenerate: "M20 11a8 8 0 1 0-2.3 5.7 M20 4v7h-7",
  continueReply: "M5 12h13 M13 6l6 6-6 6",
  remove: "M4 7h16 M9 7V4h6v3 M6 7l1 13h10l1-13",
  previous: "M15 5l-7 7 7 7",
  next: "M9 5l7 7-7 7",
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 24 24"
      width="16"
      height="16"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
