// The one place that talks Socket.IO: every listener is registered here, by name, and
// removed with socket.off(event, handler). Server events are queued and handed to the
// page once per animation frame (a timer stands in when the tab is hidden and frames
// stop), so a fast reply costs one React render per frame, not one per message.

import { io, type Socket } from "socket.io-client";
import {
  BRANCH_CHANGED,
  FILES_PATH,
  CONVERSATION_DELETED,
  CONVERSATION_OPEN,
  CONVERSATION_UPDATED,
  MESSAGE_CONTINUE,
  MESSAGE_DELETE,
  MESSAGE_DELTA,
  MESSAGE_EDIT,
  MESSAGE_FAILED,
  MESSAGE_FINISHED,
  MESSAGE_REGENERATE,
  MESSAGE_RESTORE,
  MESSAGE_STARTED,
  PROMPT_SEND,
  REPLY_STOP,
  SNAPSHOT,
  TOOL_CHANGED,
  VERSION_SWITCH,
  type Ack,
  type AckError,
  type ClientEvents,
  type UploadAck,
  type ServerEvents,
} from "./protocol";
import type { ConnectionState, ServerEvent } from "./store";

const ACK_TIMEOUT_MS = 10_000;
const HIDDEN_FLUSH_MS = 250;

export interface ConnectionCallbacks {
  events: (batch: ServerEvent[]) => void;
  status: (state: ConnectionState, reason?: string) => void;
}

export interface Connection {
  sendPrompt(text: string, conversationId: string | null, files?: string[]): Promise<Ack>;
  upload(file: File): Promise<UploadAck | AckError>;
  stop(messageId: string): Promise<Ack>;
  open(conversationId: string | null): Promise<Ack>;
  // actions on one message (protocol 3); the new branch arrives as branch:changed
  edit(messageId: string, text: string): Promise<Ack>;
  regenerate(messageId: string): Promise<Ack>;
  continueReply(messageId: string): Promise<Ack>;
  remove(messageId: string): Promise<Ack>;
  restore(messageId: string): Promise<Ack>;
  switchVersion(messageId: string, step: -1 | 1): Promise<Ack>;
  close(): void;
}

export function connect(token: string, callbacks: ConnectionCallbacks): Connection {
  const socket: Socket<ServerEvents, ClientEvents> = io({
    auth: { token },
    transports: ["websocket", "polling"],
    autoConnect: false,
  });

  let queue: ServerEvent[] = [];
  let frame = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
    frame = 0;
    timer = undefined;
    const batch = queue;
    queue = [];
    if (batch.length) callbacks.events(batch);
  };
  const enqueue = (event: ServerEvent) => {
    queue.push(event);
    if (frame || timer) return;
    frame = requestAnimationFrame(flush);
    timer = setTimeout(flush, HIDDEN_FLUSH_MS);
  };

  const onSnapshot: ServerEvents[typeof SNAPSHOT] = (payload) => {
    queue = []; // everything before the snapshot is in it
    enqueue({ type: "snapshot", payload });
  };
  const onStarted: ServerEvents[typeof MESSAGE_STARTED] = (payload) =>
    enqueue({ type: "started", payload });
  const onDelta: ServerEvents[typeof MESSAGE_DELTA] = (payload) =>
    enqueue({ type: "delta", payload });
  const onFinished: ServerEvents[typeof MESSAGE_FINISHED] = (payload) =>
    enqueue({ type: "finished", payload });
  const onFailed: ServerEvents[typeof MESSAGE_FAILED] = (payload) =>
    enqueue({ type: "failed", payload });
  const onConversation: ServerEvents[typeof CONVERSATION_UPDATED] = (payload) =>
    enqueue({ type: "conversation", payload });
  const onDeleted: ServerEvents[typeof CONVERSATION_DELETED] = (payload) =>
    enqueue({ type: "deleted", payload });
  const onTool: ServerEvents[typeof TOOL_CHANGED] = (payload) =>
    enqueue({ type: "tool", payload });
  const onBranch: ServerEvents[typeof BRANCH_CHANGED] = (payload) =>
    enqueue({ type: "branch", payload });
  const onConnect = () => callbacks.status("connected");
  const onDisconnect = (reason: Socket.DisconnectReason) =>
    callbacks.status(reason === "io client disconnect" ? "refused" : "reconnecting", reason);
  const onConnectError = (error: Error) =>
    // The server refused us (token, origin, full): socket.io will not retry by itself.
    callbacks.status(socket.active ? "reconnecting" : "refused", error.message);

  socket.on(SNAPSHOT, onSnapshot);
  socket.on(MESSAGE_STARTED, onStarted);
  socket.on(MESSAGE_DELTA, onDelta);
  socket.on(MESSAGE_FINISHED, onFinished);
  socket.on(MESSAGE_FAILED, onFailed);
  socket.on(CONVERSATION_UPDATED, onConversation);
  socket.on(CONVERSATION_DELETED, onDeleted);
  socket.on(TOOL_CHANGED, onTool);
  socket.on(BRANCH_CHANGED, onBranch);
  socket.on("connect", onConnect);
  socket.on("disconnect", onDisconnect);
  socket.on("connect_error", onConnectError);
  socket.connect();

  const call = async (request: () => Promise<Ack>): Promise<Ack> => {
    try {
      return await request();
    } catch {
      return { ok: false, error: "timeout", message: "the desktop app did not answer" };
    }
  };
  const acked = () => socket.timeout(ACK_TIMEOUT_MS);

  return {
    sendPrompt: (text, conversationId, files = []) =>
      call(() =>
        acked().emitWithAck(PROMPT_SEND, { conversation_id: conversationId, text, files }),
      ),
    upload: (file) => uploadFile(token, file),
    stop: (messageId) => call(() => acked().emitWithAck(REPLY_STOP, { message_id: messageId })),
    open: (conversationId) =>
      call(() => acked().emitWithAck(CONVERSATION_OPEN, { conversation_id: conversationId })),
    edit: (messageId, text) =>
      call(() => acked().emitWithAck(MESSAGE_EDIT, { message_id: messageId, text })),
    regenerate: (messageId) =>
      call(() => acked().emitWithAck(MESSAGE_REGENERATE, { message_id: messageId })),
    continueReply: (messageId) =>
      call(() => acked().emitWithAck(MESSAGE_CONTINUE, { message_id: messageId })),
    remove: (messageId) =>
      call(() => acked().emitWithAck(MESSAGE_DELETE, { message_id: messageId })),
    restore: (messageId) =>
      call(() => acked().emitWithAck(MESSAGE_RESTORE, { message_id: messageId })),
    switchVersion: (messageId, step) =>
      call(() => acked().emitWithAck(VERSION_SWITCH, { message_id: messageId, step })),
    close() {
      socket.off(SNAPSHOT, onSnapshot);
      socket.off(MESSAGE_STARTED, onStarted);
      socket.off(MESSAGE_DELTA, onDelta);
      socket.off(MESSAGE_FINISHED, onFinished);
      socket.off(MESSAGE_FAILED, onFailed);
      socket.off(CONVERSATION_UPDATED, onConversation);
      socket.off(CONVERSATION_DELETED, onDeleted);
      socket.off(TOOL_CHANGED, onTool);
      socket.off(BRANCH_CHANGED, onBranch);
      socket.off("connect", onConnect);
      socket.off("disconnect", onDisconnect);
      socket.off("connect_error", onConnectError);
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      socket.disconnect();
    },
  };
}

/** Send a file to the desktop app, which checks and converts it as its window does. */
export async function uploadFile(token: string, file: File): Promise<UploadAck | AckError> {
  try {
    const response = await fetch(`${FILES_PATH}?name=${encodeURIComponent(file.name)}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
      body: file,
    });
    return (await response.json()) as UploadAck | AckError;
  } catch {
    return { ok: false, error: "offline", message: `${file.name} could not be sent to the app` };
  }
}

/** Where a stored file is served (same origin, so the page's CSP allows its images). */
export function fileUrl(sha256: string, name?: string): string {
  const token = sessionStorage.getItem("streamchat-token") ?? "";
  const query = new URLSearchParams({ token });
  if (name) query.set("name", name);
  return `${FILES_PATH}/${sha256}?${query.toString()}`;
}

/** The per-launch token: from the URL fragment (then hidden), or this tab's memory. */
export function takeToken(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match) {
    const token = decodeURIComponent(match[1]);
    sessionStorage.setItem("streamchat-token", token);
    history.replaceState(null, "", window.location.pathname + window.location.search);
    return token;
  }
  return sessionStorage.getItem("streamchat-token");
}
