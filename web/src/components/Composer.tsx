import { useState, type FormEvent, type KeyboardEvent } from "react";
import { MAX_PROMPT_CHARS, type Ack } from "../protocol";

interface Props {
  enabled: boolean;
  streaming: boolean;
  onSend: (text: string) => Promise<Ack>;
  onStop: () => void;
}

export function Composer({ enabled, streaming, onSend, onStop }: Props) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!text.trim() || sending || streaming) return;
    setSending(true);
    const ack = await onSend(text);
    setSending(false);
    if (ack.ok) {
      setText("");
      setError(null);
    } else {
      setError(ack.message);
    }
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      void submit(event);
    }
  };

  return (
    <form className="composer" onSubmit={submit}>
      {error && (
        <p className="note error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder={enabled ? "Ask something… (Enter sends, Shift+Enter: new line)" : "Offline"}
          maxLength={MAX_PROMPT_CHARS}
          rows={2}
          disabled={!enabled}
          aria-label="Prompt"
        />
        {streaming ? (
          <button type="button" className="stop" onClick={onStop} disabled={!enabled}>
            Stop
          </button>
        ) : (
          <button type="submit" className="send" disabled={!enabled || sending || !text.trim()}>
            Send
          </button>
        )}
      </div>
    </form>
  );
}
