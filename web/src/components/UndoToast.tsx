// After a delete: "Message deleted · Undo" for a while (Undo puts it back exactly where it
// was; the app purges deleted messages only at its next launch).

import { useEffect } from "react";

const SHOWN_MS = 10_000;

export interface Deleted {
  id: string;
  role: string;
  preview: string;
}

export function UndoToast(props: { item: Deleted; onUndo: (item: Deleted) => void; onClose: () => void }) {
  const { item, onUndo, onClose } = props;
  useEffect(() => {
    const timer = setTimeout(onClose, SHOWN_MS);
    return () => clearTimeout(timer);
  }, [item, onClose]);
  const what = item.role === "user" ? "Prompt" : "Answer";
  return (
    <div className="toast" role="status" data-testid="undo-toast">
      <span className="toast-text" title={item.preview}>
        {what} deleted.
      </span>
      <button type="button" onClick={() => onUndo(item)} title="Put the message back where it was" aria-label="Undo delete">
        Undo
      </button>
      <button type="button" onClick={onClose} title="Dismiss" aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
