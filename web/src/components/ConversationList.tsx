import type { ConversationSummary } from "../protocol";

interface Props {
  conversations: ConversationSummary[];
  shownId: string | null;
  activeId: string | null; // the desktop window's conversation
  following: boolean;
  onOpen: (id: string | null) => void;
}

export function ConversationList({ conversations, shownId, activeId, following, onOpen }: Props) {
  return (
    <nav className="sidebar" aria-label="Conversations">
      <button
        className={`conversation follow ${following ? "current" : ""}`}
        onClick={() => onOpen(null)}
        aria-pressed={following}
      >
        Follow the desktop window
      </button>
      <ul>
        {conversations.map((c) => (
          <li key={c.id}>
            <button
              className={`conversation ${c.id === shownId ? "current" : ""}`}
              onClick={() => onOpen(c.id)}
              title={c.title}
            >
              <span className="title">{c.title}</span>
              {c.id === activeId && <span className="badge">desktop</span>}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
