import { describe, expect, it } from "vitest";
import type { MessageView } from "./protocol";
import { initialState, reduce, reduceAll, streamingReply, type ServerEvent, type ViewState } from "./store";
import { CONV, messageView, snapshot } from "./test-support";

const message = messageView;

const prompt = message({ id: "u1", role: "user", content: "Hi", state: "complete" });

function delta(first_seq: number, seq: number, text: string, reasoning = ""): ServerEvent {
  return {
    type: "delta",
    payload: { conversation_id: "c1", message_id: "a1", first_seq, seq, text, reasoning },
  };
}

function finished(seq: number): ServerEvent {
  return {
    type: "finished",
    payload: {
      conversation_id: "c1",
      message_id: "a1",
      seq,
      state: "complete",
      finish_reason: "stop",
      usage: null,
      can_continue: false,
    },
  };
}

function fromSnapshot(messages: MessageView[]): ViewState {
  return reduce(initialState, snapshot(messages)).state;
}

describe("stream store", () => {
  it("takes a snapshot with a reply in flight and continues from its seq", () => {
    const state = fromSnapshot([prompt, message({ content: "Hello", seq: 2 })]);
    expect(state.synced).toBe(true);
    const { state: next, resync } = reduceAll(state, [delta(3, 5, " world"), delta(6, 6, "!")]);
    expect(resync).toBe(false);
    expect(next.messages[1].content).toBe("Hello world!");
    expect(next.messages[1].seq).toBe(6);
    expect(streamingReply(next)?.id).toBe("a1");
  });

  it("ignores duplicate deltas", () => {
    const state = fromSnapshot([message({ content: "abc", seq: 3 })]);
    const { state: next, resync } = reduceAll(state, [delta(1, 3, "abc"), delta(2, 2, "b")]);
    expect(resync).toBe(false);
    expect(next.messages[0].content).toBe("abc");
    expect(next).toBe(state); // nothing changed, no re-render
  });

  it("asks for a resync on a gap and shows nothing past it", () => {
    const state = fromSnapshot([message({ content: "abc", seq: 3 })]);
    const gap = reduce(state, delta(5, 6, "ef"));
    expect(gap.resync).toBe(true);
    expect(gap.state.synced).toBe(false);
    expect(gap.state.messages[0].content).toBe("abc");
    // until the snapshot arrives, later deltas are not applied either
    const after = reduce(gap.state, delta(4, 4, "d"));
    expect(after.state.messages[0].content).toBe("abc");
    const healed = reduce(after.state, snapshot([message({ content: "abcdef", seq: 6 })]));
    expect(healed.state.synced).toBe(true);
    expect(reduce(healed.state, delta(7, 7, "g")).state.messages[0].content).toBe("abcdefg");
  });

  it("asks for a resync when a delta names an unknown message", () => {
    const state = fromSnapshot([]);
    expect(reduce(state, delta(1, 1, "x")).resync).toBe(true);
  });

  it("asks for a resync when the reply ends past what the view has", () => {
    const state = fromSnapshot([message({ content: "ab", seq: 2 })]);
    expect(reduce(state, finished(3)).resync).toBe(true);
    const done = reduce(state, finished(2));
    expect(done.resync).toBe(false);
    expect(done.state.messages[0].state).toBe("complete");
    expect(done.state.messages[0].finish_reason).toBe("stop");
    expect(streamingReply(done.state)).toBeNull();
    expect(reduce(done.state, finished(2)).state).toBe(done.state); // repeated end: ignored
  });

  it("starts a reply on the branch it follows, dropping replaced answers", () => {
    const old = message({ id: "old", content: "old answer", state: "failed" });
    const state = fromSnapshot([prompt, old]);
    const retried = reduce(state, {
      type: "started",
      payload: { conversation_id: "c1", message: message({ id: "new" }), prompt, history: ["u1"] },
    });
    expect(retried.resync).toBe(false);
    expect(retried.state.messages.map((m) => m.id)).toEqual(["u1", "new"]);

    const edited = message({ id: "u2", role: "user", content: "Hi, edited", state: "complete" });
    const afterEdit = reduce(state, {
      type: "started",
      payload: { conversation_id: "c1", message: message({ id: "a2" }), prompt: edited, history: ["u2"] },
    }).state;
    expect(afterEdit.messages.map((m) => m.content)).toEqual(["Hi, edited", ""]);

    const first = reduce(fromSnapshot([]), {
      type: "started",
      payload: { conversation_id: "c1", message: message(), prompt, history: ["u1"] },
    }).state;
    expect(first.messages.map((m) => m.id)).toEqual(["u1", "a1"]);
  });

  it("resyncs when a reply follows messages the view never saw", () => {
    const lostTrack = reduce(fromSnapshot([]), {
      type: "started",
      payload: { conversation_id: "c1", message: message(), prompt, history: ["x9", "u1"] },
    });
    expect(lostTrack.resync).toBe(true);
  });

  it("ignores replies in conversations this view does not show", () => {
    const state = fromSnapshot([]);
    const other = reduce(state, {
      type: "started",
      payload: {
        conversation_id: "c2",
        message: message({ conversation_id: "c2" }),
        prompt: null,
        history: [],
      },
    });
    expect(other.state.messages).toEqual([]);
    expect(other.resync).toBe(false);
  });

  it("keeps the conversation list sorted by last update", () => {
    const state = fromSnapshot([]);
    const next = reduce(state, {
      type: "conversation",
      payload: { conversation: { id: "c2", title: "Second", model: null, updated_at: 20 } },
    }).state;
    expect(next.conversations.map((c) => c.id)).toEqual(["c2", "c1"]);
    const renamed = reduce(next, {
      type: "conversation",
      payload: { conversation: { ...CONV, title: "Renamed", updated_at: 30 } },
    }).state;
    expect(renamed.conversations.map((c) => c.id)).toEqual(["c1", "c2"]);
    expect(renamed.conversation?.title).toBe("Renamed");
  });

  it("removes a deleted conversation from the list, staying where it is", () => {
    const c2 = { id: "c2", title: "Second", model: null, updated_at: 20 };
    const state = reduce(initialState, snapshot([prompt], { conversations: [c2, CONV] })).state;
    const { state: next, resync } = reduce(state, {
      type: "deleted",
      payload: { conversation_id: "c2" },
    });
    expect(resync).toBe(false);
    expect(next.conversations.map((c) => c.id)).toEqual(["c1"]);
    expect(next.conversation?.id).toBe("c1");
    expect(next.messages).toEqual([prompt]);
    expect(next.synced).toBe(true);
    // a conversation this view never listed: nothing changes
    expect(reduce(next, { type: "deleted", payload: { conversation_id: "zz" } }).state).toBe(next);
  });

  it("switches away from a deleted conversation it was showing", () => {
    const c2 = { id: "c2", title: "Second", model: null, updated_at: 20 };
    const c3 = { id: "c3", title: "Third", model: null, updated_at: 5 };
    const shownByChoice = reduce(
      initialState,
      snapshot([prompt, message({ content: "so far", seq: 1 })], {
        conversations: [c2, CONV, c3],
        active_conversation_id: "c3",
        following: false,
      }),
    ).state;
    const gone = reduce(shownByChoice, { type: "deleted", payload: { conversation_id: "c1" } });
    expect(gone.resync).toBe(false); // the server sends the new conversation's snapshot
    expect(gone.state.conversations.map((c) => c.id)).toEqual(["c2", "c3"]);
    expect(gone.state.conversation?.id).toBe("c3"); // the desktop window's conversation
    expect(gone.state.following).toBe(true);
    expect(gone.state.messages).toEqual([]);
    expect(streamingReply(gone.state)).toBeNull();
    // the old reply's events no longer land anywhere …
    expect(reduce(gone.state, delta(2, 2, "x")).state).toBe(gone.state);
    // … and the snapshot that follows fills the view
    const c3Message = message({ id: "u3", conversation_id: "c3", role: "user", state: "complete" });
    const healed = reduce(
      gone.state,
      snapshot([c3Message], { conversations: [c2, c3], active_conversation_id: "c3", conversation: c3 }),
    ).state;
    expect(healed.synced).toBe(true);
    expect(healed.messages.map((m) => m.id)).toEqual(["u3"]);

    // the desktop window's own conversation deleted: the newest one is shown until it moves
    const following = reduce(initialState, snapshot([prompt], { conversations: [CONV, c3] })).state;
    const moved = reduce(following, { type: "deleted", payload: { conversation_id: "c1" } }).state;
    expect(moved.activeConversationId).toBeNull();
    expect(moved.conversation?.id).toBe("c3");
    expect(moved.conversations.map((c) => c.id)).toEqual(["c3"]);

    // the last one deleted: nothing is shown
    const only = reduce(initialState, snapshot([prompt])).state;
    const empty = reduce(only, { type: "deleted", payload: { conversation_id: "c1" } }).state;
    expect(empty.conversation).toBeNull();
    expect(empty.conversations).toEqual([]);
  });

  it("records a failure with its error, keeping the partial text", () => {
    const state = fromSnapshot([message({ content: "half", seq: 1 })]);
    const failed = reduce(state, {
      type: "failed",
      payload: {
        conversation_id: "c1",
        message_id: "a1",
        seq: 1,
        error: { kind: "auth", message: "The server rejected the API key." },
        usage: null,
        can_continue: true,
      },
    }).state;
    expect(failed.messages[0]).toMatchObject({ state: "failed", content: "half" });
    expect(failed.messages[0].can_continue).toBe(true);
    expect(failed.messages[0].error?.kind).toBe("auth");
  });

  it("rebuilds a long reply exactly from coalesced deltas", () => {
    const words = Array.from({ length: 1000 }, (_, i) => `w${i} `);
    let state = fromSnapshot([message()]);
    let seq = 0;
    for (let i = 0; i < words.length; i += 7) {
      const chunk = words.slice(i, i + 7);
      state = reduce(state, delta(seq + 1, seq + chunk.length, chunk.join(""))).state;
      seq += chunk.length;
    }
    expect(state.messages[0].content).toBe(words.join(""));
  });
});

describe("tool calls", () => {
  const call = {
    id: "call_1",
    name: "weather",
    server: "meteo",
    arguments: '{"city": "Oslo"}',
    status: "pending",
    result: "",
    result_chars: 0,
    images: 0,
  };
  const tool = (over: Partial<typeof call>): ServerEvent => ({
    type: "tool",
    payload: { conversation_id: "c1", message_id: "a1", call: { ...call, ...over } },
  });

  it("adds a call to its reply, then updates it in place", () => {
    const shown = reduceAll(initialState, [snapshot([prompt, message()]), tool({})]).state;
    expect(shown.messages[1].tool_calls).toEqual([call]);
    const done = reduce(shown, tool({ status: "done", result: "Snow", result_chars: 4 })).state;
    expect(done.messages[1].tool_calls).toHaveLength(1);
    expect(done.messages[1].tool_calls[0]).toMatchObject({ status: "done", result: "Snow" });
  });

  it("ignores a call of a reply it does not show", () => {
    const shown = reduce(initialState, snapshot([prompt])).state;
    expect(reduce(shown, tool({})).state).toBe(shown);
  });
});
