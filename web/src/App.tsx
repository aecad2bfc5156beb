// The companion page: connection state, conversations, the live reply, a prompt box.

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { connect, takeToken, type Connection } from "./connection";
import { ConversationList } from "./components/ConversationList";
import { Composer } from "./components/Composer";
import type { ActionHandlers } from "./components/MessageActions";
import { MessageList } from "./components/MessageList";
import { UndoToast, type Deleted } from "./components/UndoToast";
import { plainText } from "./markdown";
import type { Ack } from "./protocol";
import { initialState, reduceAll, streamingReply, type ViewState } from "./store";

const OFFLINE: Ack = { ok: false, error: "offline", message: "not connected" };

/** Text on the clipboard: the async API where the page may use it, else a selection. */
async function writeClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    return copied;
  }
}

const CONNECTION_LABELS: Record<ViewState["connection"], string> = {
  connecting: "Connecting…",
  connected: "Live",
  reconnecting: "Reconnecting…",
  refused: "Not connected",
};

export function App() {
  const [state, setState] = useState<ViewState>(initialState);
  const [token] = useState(takeToken);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const connection = useRef<Connection | null>(null);
  const resyncing = useRef(false);

  useEffect(() => {
    if (!token) {
      setState((s) => ({ ...s, connection: "refused", refusal: "no token" }));
      return;
    }
    const conn = connect(token, {
      events: (batch) => {
        setState((current) => {
          const { state: next, resync } = reduceAll(current, batch);
          if (batch.some((e) => e.type === "snapshot")) resyncing.current = false;
          if (resync && !resyncing.current) {
            resyncing.current = true;
            // A gap: take a fresh snapshot of what this view shows.
            queueMicrotask(() => void conn.open(next.following ? null : (next.conversation?.id ?? null)));
          }
          return next;
        });
      },
      status: (connectionState, reason) =>
        setState((s) => ({
          ...s,
          connection: connectionState,
          refusal: connectionState === "refused" ? (reason ?? null) : null,
          synced: connectionState === "connected" ? s.synced : false,
        })),
    });
    connection.current = conn;
    return () => {
      connection.current = null;
      conn.close();
    };
  }, [token]);

  const send = useCallback(
    (text: string, files: string[]) =>
      connection.current?.sendPrompt(text, state.conversation?.id ?? null, files) ??
      Promise.resolve({ ok: false as const, error: "offline", message: "not connected" }),
    [state.conversation?.id],
  );
  const upload = useCallback(
    (file: File) =>
      connection.current?.upload(file) ??
      Promise.resolve({ ok: false as const, error: "offline", message: "not connected" }),
    [],
  );
  const reply = streamingReply(state);
  const stop = useCallback(() => {
    if (reply) void connection.current?.stop(reply.id);
  }, [reply]);
  const open = useCallback((id: string | null) => {
    setDrawerOpen(false);
    void connection.current?.open(id);
  }, []);

  // Actions on one message: the new branch comes back as branch:changed; a refusal
  // (busy, gone) is shown in the status line.
  const [notice, setNotice] = useState<string | null>(null);
  const [deleted, setDeleted] = useState<Deleted | null>(null);
  const report = useCallback((ack: Ack, done?: string) => {
    setNotice(ack.ok ? (done ?? null) : ack.message);
    return ack;
  }, []);
  const actions = useMemo<ActionHandlers>(() => {
    const conn = () => connection.current;
    return {
      copy: (message, as) => {
        // A prompt is shown as typed (never rendered as Markdown): both copies are its text.
        const markdown = as === "markdown" || message.role === "user";
        const text = markdown ? message.content : plainText(message.content);
        void writeClipboard(text).then((copied) =>
          setNotice(copied ? `Copied as ${as === "markdown" ? "Markdown" : "plain text"}.` : "Could not copy."),
        );
      },
      edit: async (id, text) => report((await conn()?.edit(id, text)) ?? OFFLINE),
      regenerate: (id) => void conn()?.regenerate(id).then((ack) => report(ack)),
      continueReply: (id) => void conn()?.continueReply(id).then((ack) => report(ack)),
      switchVersion: (id, step) =>
        void conn()
          ?.switchVersion(id, step)
          .then((ack) =>
            report(ack, ack.ok && ack.version ? `Version ${ack.version.number} of ${ack.version.count}` : undefined),
          ),
      remove: (message) =>
        void conn()
          ?.remove(message.id)
          .then((ack) => {
            report(ack);
            if (ack.ok) setDeleted({ id: message.id, role: message.role, preview: message.content });
          }),
    };
  }, [report]);
  const dismiss = useCallback(() => setDeleted(null), []); // stable: the toast's timer keeps
  const undo = useCallback(
    (item: Deleted) => {
      setDeleted(null);
      void connection.current?.restore(item.id).then((ack) => report(ack, "Message restored."));
    },
    [report],
  );

  const live = state.connection === "connected";
  return (
    <div className={`app ${drawerOpen ? "drawer-open" : ""}`}>
      <header className="topbar">
        <button
          className="menu"
          aria-label="Conversations"
          aria-expanded={drawerOpen}
          onClick={() => setDrawerOpen((o) => !o)}
        >
          ☰
        </button>
        <h1 title={state.conversation?.title}>{state.conversation?.title ?? "StreamChat"}</h1>
        <span className={`status status-${state.connection}`} data-testid="connection">
          {CONNECTION_LABELS[state.connection]}
        </span>
      </header>
      <ConversationList
        conversations={state.conversations}
        shownId={state.conversation?.id ?? null}
        activeId={state.activeConversationId}
        following={state.following}
        onOpen={open}
      />
      <main className="transcript">
        {state.connection === "refused" ? (
          <p className="notice" role="alert">
            The desktop app refused this page ({state.refusal ?? "no reason given"}). Open the
            link the app printed or copied: it carries this launch's token.
          </p>
        ) : (
          <MessageList
            messages={state.messages}
            omitted={state.omitted}
            busy={reply !== null || !live}
            actions={actions}
          />
        )}
      </main>
      <div className="action-status" role="status" aria-live="polite" data-testid="action-status">
        {notice}
      </div>
      {deleted && <UndoToast item={deleted} onUndo={undo} onClose={dismiss} />}
      <Composer
        enabled={live}
        streaming={reply !== null}
        onSend={send}
        onStop={stop}
        onUpload={upload}
      />
    </div>
  );
}
