// The view's state and the pure function that applies server events to it.
//
// Every reply is rebuilt from a snapshot plus `message:delta`s numbered by `seq`:
// a delta that repeats what the view has is ignored, one that skips ahead (a gap) asks
// for a resync — a fresh snapshot — instead of showing a hole.

import type {
  BranchChangedPayload,
  ConversationDeletedPayload,
  ConversationSummary,
  ConversationUpdatedPayload,
  MessageDeltaPayload,
  MessageFailedPayload,
  MessageFinishedPayload,
  MessageStartedPayload,
  MessageView,
  SnapshotPayload,
  ToolChangedPayload,
} from "./protocol";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "refused";

export interface ViewState {
  connection: ConnectionState;
  refusal: string | null;
  conversations: ConversationSummary[];
  activeConversationId: string | null;
  following: boolean;
  conversation: ConversationSummary | null;
  messages: MessageView[];
  omitted: number;
  synced: boolean; // false from a gap until the next snapshot
}

export type ServerEvent =
  | { type: "snapshot"; payload: SnapshotPayload }
  | { type: "started"; payload: MessageStartedPayload }
  | { type: "delta"; payload: MessageDeltaPayload }
  | { type: "finished"; payload: MessageFinishedPayload }
  | { type: "failed"; payload: MessageFailedPayload }
  | { type: "conversation"; payload: ConversationUpdatedPayload }
  | { type: "deleted"; payload: ConversationDeletedPayload }
  | { type: "tool"; payload: ToolChangedPayload }
  | { type: "branch"; payload: BranchChangedPayload };

export interface Reduced {
  state: ViewState;
  resync: boolean; // the view missed something: ask for a snapshot
}

export const initialState: ViewState = {
  connection: "connecting",
  refusal: null,
  conversations: [],
  activeConversationId: null,
  following: true,
  conversation: null,
  messages: [],
  omitted: 0,
  synced: false,
};

/** Apply a batch of events (one animation frame's worth) in order. */
export function reduceAll(state: ViewState, events: readonly ServerEvent[]): Reduced {
  let resync = false;
  for (const event of events) {
    const next = reduce(state, event);
    state = next.state;
    resync ||= next.resync;
  }
  return { state, resync };
}

export function reduce(state: ViewState, event: ServerEvent): Reduced {
  switch (event.type) {
    case "snapshot":
      return ok(applySnapshot(state, event.payload));
    case "conversation":
      return ok(applyConversation(state, event.payload.conversation));
    case "deleted":
      return ok(applyDeleted(state, event.payload.conversation_id));
    default:
      break;
  }
  if (!state.synced || event.payload.conversation_id !== state.conversation?.id) {
    return ok(state); // not what this view shows, or waiting for a snapshot anyway
  }
  switch (event.type) {
    case "started":
      return applyStarted(state, event.payload);
    case "delta":
      return applyDelta(state, event.payload);
    case "finished":
      return applyEnd(state, event.payload, (m) => ({
        ...m,
        state: event.payload.state,
        finish_reason: event.payload.finish_reason,
        usage: event.payload.usage,
        can_continue: event.payload.can_continue,
      }));
    case "failed":
      return applyEnd(state, event.payload, (m) => ({
        ...m,
        state: "failed",
        error: event.payload.error,
        usage: event.payload.usage,
        can_continue: event.payload.can_continue,
      }));
    case "tool":
      return ok(applyTool(state, event.payload));
    case "branch":
      // An edit, a regeneration, another version, a delete or its Undo: the branch as
      // the app has it now (a reply in flight with its text and seq, as in a snapshot).
      return ok({ ...state, messages: event.payload.messages, omitted: event.payload.omitted });
  }
}

function applyTool(state: ViewState, p: ToolChangedPayload): ViewState {
  const at = state.messages.findIndex((m) => m.id === p.message_id);
  if (at < 0) return state; // a reply this view does not show
  const message = state.messages[at];
  const calls = message.tool_calls ?? [];
  const known = calls.findIndex((c) => c.id === p.call.id);
  const tool_calls = known < 0 ? [...calls, p.call] : calls.map((c, i) => (i === known ? p.call : c));
  return replaceAt(state, at, { ...message, tool_calls });
}

function ok(state: ViewState): Reduced {
  return { state, resync: false };
}

function lost(state: ViewState): Reduced {
  return { state: { ...state, synced: false }, resync: true };
}

function applySnapshot(state: ViewState, s: SnapshotPayload): ViewState {
  return {
    ...state,
    conversations: s.conversations,
    activeConversationId: s.active_conversation_id,
    following: s.following,
    conversation: s.conversation,
    messages: s.messages,
    omitted: s.omitted,
    synced: true,
  };
}

function applyConversation(state: ViewState, c: ConversationSummary): ViewState {
  const others = state.conversations.filter((x) => x.id !== c.id);
  const conversations = [c, ...others].sort((a, b) => b.updated_at - a.updated_at);
  const conversation = state.conversation?.id === c.id ? c : state.conversation;
  return { ...state, conversations, conversation };
}

function applyDeleted(state: ViewState, id: string): ViewState {
  if (!state.conversations.some((c) => c.id === id) && state.conversation?.id !== id) {
    return state; // never listed here: nothing changes, no re-render
  }
  const conversations = state.conversations.filter((c) => c.id !== id);
  const activeConversationId = state.activeConversationId === id ? null : state.activeConversationId;
  if (state.conversation?.id !== id) return { ...state, conversations, activeConversationId };
  // It was on screen: follow the desktop window's conversation (the newest one while the
  // window shows none). The server sends that conversation's snapshot right behind this
  // event; until it arrives nothing of the old one is shown and no reply is applied.
  const next =
    conversations.find((c) => c.id === activeConversationId) ?? conversations[0] ?? null;
  return {
    ...state,
    conversations,
    activeConversationId,
    following: true,
    conversation: next,
    messages: [],
    omitted: 0,
    synced: false,
  };
}

function applyStarted(state: ViewState, p: MessageStartedPayload): Reduced {
  // Keep exactly the branch the reply follows: a retry, an edit or a regeneration
  // replaces later messages. A message the view never saw (other than the prompt,
  // which comes along) means it lost track: resync.
  // What the view already shows of a message (its version ‹ n/m ›) is kept: the
  // payload's messages carry no versions (a branch:changed brings new ones).
  const known = new Map(state.messages.map((m) => [m.id, m]));
  if (p.prompt && !known.has(p.prompt.id)) known.set(p.prompt.id, p.prompt);
  const kept: MessageView[] = [];
  for (const id of p.history) {
    const message = known.get(id);
    if (!message) return lost(state);
    kept.push(message.can_continue ? { ...message, can_continue: false } : message);
  }
  const version = known.get(p.message.id)?.version ?? p.message.version;
  return ok({ ...state, messages: [...kept, { ...p.message, version, seq: 0 }] });
}

function applyDelta(state: ViewState, d: MessageDeltaPayload): Reduced {
  const at = state.messages.findIndex((m) => m.id === d.message_id);
  if (at < 0) return lost(state);
  const message = state.messages[at];
  if (d.seq <= message.seq) return ok(state); // already shown: a duplicate
  if (d.first_seq !== message.seq + 1 || message.state !== "streaming") return lost(state);
  const updated: MessageView = {
    ...message,
    content: message.content + d.text,
    reasoning: message.reasoning + d.reasoning,
    seq: d.seq,
  };
  return ok(replaceAt(state, at, updated));
}

function applyEnd(
  state: ViewState,
  p: { message_id: string; seq: number },
  end: (m: MessageView) => MessageView,
): Reduced {
  const at = state.messages.findIndex((m) => m.id === p.message_id);
  if (at >= 0 && state.messages[at].state !== "streaming") return ok(state); // a repeat
  if (at < 0 || state.messages[at].seq < p.seq) return lost(state); // missed deltas
  return ok(replaceAt(state, at, end(state.messages[at])));
}

function replaceAt(state: ViewState, at: number, message: MessageView): ViewState {
  const messages = state.messages.slice();
  messages[at] = message;
  return { ...state, messages };
}

/** The reply streaming in the shown conversation, if any (for the Stop button). */
export function streamingReply(state: ViewState): MessageView | null {
  return state.messages.find((m) => m.state === "streaming" && m.role === "assistant") ?? null;
}

/** "2/3" for a message with versions; null when it has none. */
export function versionLabel(message: MessageView): string | null {
  const v = message.version;
  return v && v.count > 1 ? `${v.number}/${v.count}` : null;
}

/** The actions a message offers now (none change a branch while a reply streams). */
export interface MessageActions {
  edit: boolean;
  regenerate: boolean;
  continueReply: boolean;
  remove: boolean;
  previous: boolean;
  next: boolean;
}

export function messageActions(message: MessageView, busy: boolean): MessageActions {
  const idle = !busy && message.state !== "streaming";
  const v = message.version;
  return {
    edit: idle && message.role === "user",
    regenerate: idle && message.role === "assistant",
    continueReply: idle && message.can_continue,
    remove: idle,
    previous: idle && v !== null && v.number > 1,
    next: idle && v !== null && v.number < v.count,
  };
}
