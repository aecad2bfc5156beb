import { useRef, useState, type ChangeEvent, type FormEvent, type KeyboardEvent } from "react";
import { formatSize, refusal } from "../attachments";
import { MAX_PROMPT_CHARS, type Ack, type AckError, type UploadAck } from "../protocol";

interface Props {
  enabled: boolean;
  streaming: boolean;
  onSend: (text: string, files: string[]) => Promise<Ack>;
  onStop: () => void;
  onUpload: (file: File) => Promise<UploadAck | AckError>;
}

interface Pending {
  upload: UploadAck;
  preview: string | null; // a data: URL (the page's CSP allows data: images)
}

function readPreview(file: File): Promise<string | null> {
  if (!file.type.startsWith("image/")) return Promise.resolve(null);
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === "string" ? reader.result : null);
    reader.onerror = () => resolve(null);
    reader.readAsDataURL(file);
  });
}

export function Composer({ enabled, streaming, onSend, onStop, onUpload }: Props) {
  const [text, setText] = useState("");
  const [files, setFiles] = useState<Pending[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const picker = useRef<HTMLInputElement>(null);

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if ((!text.trim() && files.length === 0) || busy || streaming) return;
    setBusy(true);
    const ack = await onSend(
      text,
      files.map((f) => f.upload.id),
    );
    setBusy(false);
    if (ack.ok) {
      setText("");
      setFiles([]);
      setError(null);
    } else {
      setError(ack.message); // the prompt and its files stay
    }
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      void submit(event);
    }
  };
  const attach = async (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = Array.from(event.target.files ?? []);
    event.target.value = "";
    const refused = refusal(chosen, files.length);
    if (refused) {
      setError(refused);
      return;
    }
    setBusy(true);
    const problems: string[] = [];
    for (const file of chosen) {
      const answer = await onUpload(file);
      if (answer.ok) {
        const preview = answer.kind === "image" ? await readPreview(file) : null;
        setFiles((current) => [...current, { upload: answer, preview }]);
      } else {
        problems.push(answer.message);
      }
    }
    setBusy(false);
    setError(problems.length ? problems.join("\n") : null);
  };

  return (
    <form className="composer" onSubmit={submit}>
      {error && (
        <p className="note error" role="alert">
          {error}
        </p>
      )}
      {files.length > 0 && (
        <ul className="chips" aria-label="Attachments">
          {files.map(({ upload, preview }) => (
            <li className="chip" key={upload.id} data-testid="chip">
              {preview && <img src={preview} alt="" className="thumb" />}
              <span>
                {upload.name} · {formatSize(upload.size)}
                {upload.pages ? ` · ${upload.pages} p.` : ""}
              </span>
              <button
                type="button"
                aria-label={`Remove ${upload.name}`}
                onClick={() => setFiles((current) => current.filter((f) => f.upload.id !== upload.id))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          onChange={(e) => void attach(e)}
          data-testid="file-input"
        />
        <button
          type="button"
          className="attach"
          aria-label="Attach files"
          title="Attach images, PDFs or text files"
          disabled={!enabled || busy}
          onClick={() => picker.current?.click()}
        >
          Attach…
        </button>
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
          <button
            type="submit"
            className="send"
            disabled={!enabled || busy || (!text.trim() && files.length === 0)}
          >
            Send
          </button>
        )}
      </div>
    </form>
  );
}
