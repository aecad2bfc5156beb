// Shared by the page's unit tests: a conversation and messages as the server sends them.

import type { MessageView, SnapshotPayload } from "./protocol";
import type { ServerEvent } from "./store";

export const CONV = { id: "c1", title: "First", model: "m", updated_at: 10 };

/** A message view with every field, streaming unless ``over`` says otherwise. */
export function messageView(over: Partial<MessageView> = {}): MessageView {
  return {
    id: "a1",
    conversation_id: "c1",
    role: "assistant",
    content: "",
    reasoning: "",
    state: "streaming",
    finish_reason: null,
    error: null,
    usage: null,
    model: "m",
    created_at: 1,
    seq: 0,
    attachments: [],
    tool_calls: [],
    version: null,
    can_continue: false,
    ...over,
  };
}

/** A snapshot of conversation c1 showing ``messages``. */
export function snapshot(messages: MessageView[], over: Partial<SnapshotPayload> = {}): ServerEvent {
  return {
    type: "snapshot",
    payload: {
      protocol: 3,
      conversations: [CONV],
      active_conversation_id: "c1",
      following: true,
      conversation: CONV,
      messages,
      omitted: 0,
      ...over,
    },
  };
}
