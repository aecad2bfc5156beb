import { memo, useLayoutEffect, useMemo, useRef, useState } from "react";
import { formatSize } from "../attachments";
import { fileUrl } from "../connection";
import { renderMarkdown } from "../markdown";
import type { AttachmentInfo, MessageView, ToolCallView } from "../protocol";
import { ActionBar, EditBox, type ActionHandlers } from "./MessageActions";

const NEAR_BOTTOM_PX = 80;

interface ListProps {
  messages: MessageView[];
  omitted: number;
  busy: boolean; // a reply streams here: no action may change the branch
  actions: ActionHandlers;
}

export function MessageList({ messages, omitted, busy, actions }: ListProps) {
  const end = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  // Follow the reply only while the reader is at the bottom, as the desktop window does.
  useLayoutEffect(() => {
    const scroller = end.current?.closest(".transcript");
    if (!scroller) return;
    const onScroll = () => {
      stick.current =
        scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
    };
    scroller.addEventListener("scroll", onScroll);
    return () => scroller.removeEventListener("scroll", onScroll);
  }, []);
  useLayoutEffect(() => {
    if (stick.current) end.current?.scrollIntoView({ block: "end" });
  });

  return (
    <div className="messages" data-testid="messages">
      {omitted > 0 && <p className="omitted">{omitted} earlier messages are in the desktop app.</p>}
      {messages.length === 0 && <p className="empty">No messages yet. Ask something below.</p>}
      {messages.map((m) => (
        <Message key={m.id} message={m} busy={busy} actions={actions} />
      ))}
      <div ref={end} />
    </div>
  );
}

const Message = memo(function Message(props: {
  message: MessageView;
  busy: boolean;
  actions: ActionHandlers;
}) {
  const { message, busy, actions } = props;
  const [editing, setEditing] = useState(false);
  const [edits, setEdits] = useState(0); // back from the edit box: focus Edit again
  const html = useMemo(
    () => (message.role === "assistant" ? renderMarkdown(message.content) : ""),
    [message.role, message.content],
  );
  const streaming = message.state === "streaming";
  if (editing) {
    return (
      <article className="message user editing" data-testid="message-user" data-state={message.state}>
        <EditBox
          message={message}
          onSave={(text) => actions.edit(message.id, text)}
          onCancel={() => {
            setEditing(false);
            setEdits((n) => n + 1);
          }}
        />
      </article>
    );
  }
  return (
    <article
      className={`message ${message.role} state-${message.state}`}
      data-testid={`message-${message.role}`}
      data-state={message.state}
      data-id={message.id}
    >
      {message.reasoning && (
        <details className="reasoning">
          <summary>Reasoning</summary>
          <p>{message.reasoning}</p>
        </details>
      )}
      {message.tool_calls?.map((call) => <ToolCall key={call.id} call={call} />)}
      {message.role === "assistant" ? (
        <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />
      ) : (
        <p className="plain">{message.content}</p>
      )}
      {message.attachments.length > 0 && <Attachments files={message.attachments} />}
      {streaming && <span className="cursor" aria-label="streaming" />}
      <Footer message={message} />
      <ActionBar
        message={message}
        busy={busy}
        actions={actions}
        onEdit={() => setEditing(true)}
        focusEdit={edits}
      />
    </article>
  );
});

function Attachments({ files }: { files: AttachmentInfo[] }) {
  return (
    <ul className="attachments" aria-label="Attached files">
      {files.map((file, index) => (
        <li key={`${file.sha256}-${index}`} data-testid="attachment">
          {file.kind === "image" ? (
            <a href={fileUrl(file.sha256)} target="_blank" rel="noreferrer" title={file.name}>
              <img src={fileUrl(file.sha256)} alt={file.name} className="thumb" loading="lazy" />
            </a>
          ) : (
            <a href={fileUrl(file.sha256, file.name)} download={file.name} className="chip">
              {file.kind === "pdf" ? "PDF" : "File"}: {file.name} · {formatSize(file.size)}
            </a>
          )}
        </li>
      ))}
    </ul>
  );
}

const STATUS_WORDS: Record<string, string> = {
  pending: "waiting for a decision in the desktop app",
  running: "running",
  done: "done",
  failed: "failed",
  declined: "declined",
};

// A tool call as the desktop window shows it, without the choices: only the desktop approves.
function ToolCall({ call }: { call: ToolCallView }) {
  const cut = call.result_chars > call.result.length;
  return (
    <details className={`tool status-${call.status}`} data-testid="tool-call" data-status={call.status}>
      <summary>
        Tool: {call.name}
        {call.server && ` (${call.server})`} — {STATUS_WORDS[call.status] ?? call.status}
      </summary>
      <pre className="arguments">{call.arguments}</pre>
      {call.result && <pre className="result">{call.result}</pre>}
      {cut && <p className="note">The whole result is in the desktop app.</p>}
      {call.images > 0 && <p className="note">{call.images} image(s): see the desktop app.</p>}
    </details>
  );
}

function Footer({ message }: { message: MessageView }) {
  if (message.state === "failed" && message.error) {
    return <p className="note error">{message.error.message}</p>;
  }
  if (message.state === "stopped") return <p className="note">Stopped.</p>;
  if (message.state === "interrupted") return <p className="note">Interrupted.</p>;
  if (message.finish_reason === "length") {
    return <p className="note">Cut off at the token limit.</p>;
  }
  if (message.finish_reason === "content_filter") {
    return <p className="note">Blocked by the content filter.</p>;
  }
  return null;
}
