// What every message offers: copy (Markdown or plain text), edit a prompt, regenerate an
// answer, continue a cut answer, delete (with Undo in the page), and ‹ n/m › versions.
// The bar shows on hover and whenever focus is inside the message, so every button is
// reachable with Tab; each has an accessible name and a tooltip.

import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent, type RefObject } from "react";
import { MAX_PROMPT_CHARS, type Ack, type MessageView } from "../protocol";
import { messageActions, versionLabel } from "../store";
import { Icon, type IconName } from "./icons";

export interface ActionHandlers {
  copy(message: MessageView, as: "markdown" | "plain"): void;
  edit(messageId: string, text: string): Promise<Ack>;
  regenerate(messageId: string): void;
  continueReply(messageId: string): void;
  remove(message: MessageView): void;
  switchVersion(messageId: string, step: -1 | 1): void;
}

interface BarProps {
  message: MessageView;
  busy: boolean;
  actions: ActionHandlers;
  onEdit: () => void;
  focusEdit?: number; // counts the edit box's closings: each gives the keyboard its place back
}

function ActionButton(props: {
  label: string;
  icon: IconName;
  onClick: () => void;
  enabled?: boolean;
  button?: RefObject<HTMLButtonElement | null>;
}) {
  const { label, icon, onClick, enabled = true, button } = props;
  return (
    <button ref={button} type="button" aria-label={label} title={label} onClick={onClick} disabled={!enabled}>
      <Icon name={icon} />
    </button>
  );
}

export function VersionSwitcher({ message, busy, actions }: Omit<BarProps, "onEdit">) {
  const label = versionLabel(message);
  if (!label || !message.version) return null;
  const can = messageActions(message, busy);
  const { number, count } = message.version;
  return (
    <span className="versions" role="group" aria-label="Versions">
      <ActionButton
        label="Previous version"
        icon="previous"
        enabled={can.previous}
        onClick={() => actions.switchVersion(message.id, -1)}
      />
      <span className="version-label" aria-label={`Version ${number} of ${count}`} data-testid="version">
        {label}
      </span>
      <ActionButton
        label="Next version"
        icon="next"
        enabled={can.next}
        onClick={() => actions.switchVersion(message.id, 1)}
      />
    </span>
  );
}

export function ActionBar({ message, busy, actions, onEdit, focusEdit = 0 }: BarProps) {
  const can = messageActions(message, busy);
  const editButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (focusEdit > 0) editButton.current?.focus();
  }, [focusEdit]);
  return (
    <div className="actions" role="toolbar" aria-label="Message actions">
      <VersionSwitcher message={message} busy={busy} actions={actions} />
      <ActionButton label="Copy as Markdown" icon="copy" onClick={() => actions.copy(message, "markdown")} />
      <ActionButton label="Copy as plain text" icon="text" onClick={() => actions.copy(message, "plain")} />
      {message.role === "user" && <ActionButton label="Edit message" icon="edit" enabled={can.edit} onClick={onEdit} button={editButton} />}
      {message.role === "assistant" && (
        <ActionButton
          label="Regenerate answer"
          icon="regenerate"
          enabled={can.regenerate}
          onClick={() => actions.regenerate(message.id)}
        />
      )}
      {can.continueReply && (
        <ActionButton label="Continue answer" icon="continueReply" onClick={() => actions.continueReply(message.id)} />
      )}
      <ActionButton label="Delete message" icon="remove" enabled={can.remove} onClick={() => actions.remove(message)} />
    </div>
  );
}

/** The inline box that edits a prompt: Enter (without Shift) sends it as a new version. */
export function EditBox(props: {
  message: MessageView;
  onSave: (text: string) => Promise<Ack>;
  onCancel: () => void;
}) {
  const { message, onSave, onCancel } = props;
  const [text, setText] = useState(message.content);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const save = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!text.trim() || sending) return;
    setSending(true);
    const ack = await onSave(text);
    setSending(false);
    if (ack.ok) onCancel();
    else setError(ack.message); // the edited text stays in the box
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Escape") onCancel();
    else if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) void save(event);
  };
  return (
    <form className="edit-box" onSubmit={save}>
      <textarea
        aria-label="Edited message"
        value={text}
        maxLength={MAX_PROMPT_CHARS}
        rows={Math.min(10, text.split("\n").length + 1)}
        autoFocus
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      {error && (
        <p className="note error" role="alert">
          {error}
        </p>
      )}
      <div className="edit-buttons">
        <button type="button" onClick={onCancel} title="Keep the prompt as it is (Esc)">
          Cancel
        </button>
        <button type="submit" className="send" disabled={!text.trim() || sending} title="Send as a new version (Enter)">
          Send
        </button>
      </div>
    </form>
  );
}
