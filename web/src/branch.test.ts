import { describe, expect, it } from "vitest";
import { plainText } from "./markdown";
import type { MessageView } from "./protocol";
import { initialState, messageActions, reduce, versionLabel, type ServerEvent } from "./store";
import { messageView, snapshot } from "./test-support";

function message(over: Partial<MessageView> = {}): MessageView {
  return messageView({ content: "answer", state: "complete", finish_reason: "stop", ...over });
}

function branch(messages: MessageView[], conversation_id = "c1"): ServerEvent {
  return { type: "branch", payload: { conversation_id, messages, omitted: 0 } };
}

const q1 = message({ id: "q1", role: "user", content: "first?" });
const a1 = message({ id: "a1" });
const q2 = message({ id: "q2", role: "user", content: "second?" });

describe("branch:changed", () => {
  it("replaces the shown messages with the branch as the app has it", () => {
    const shown = reduce(initialState, snapshot([q1, a1, q2])).state;
    const edited = message({ id: "q1b", role: "user", version: { number: 2, count: 2 } });
    const { state, resync } = reduce(shown, branch([edited]));
    expect(resync).toBe(false);
    expect(state.messages).toEqual([edited]);
    expect(versionLabel(state.messages[0])).toBe("2/2");
  });

  it("ignores the branch of a conversation it does not show", () => {
    const shown = reduce(initialState, snapshot([q1, a1])).state;
    expect(reduce(shown, branch([q2], "other")).state).toBe(shown);
  });

  it("waits for a snapshot when it has lost track", () => {
    const unsynced = { ...reduce(initialState, snapshot([q1])).state, synced: false };
    expect(reduce(unsynced, branch([q2])).state.messages).toEqual([q1]);
  });

  it("a reply's end says whether it can be continued; a new reply ends that", () => {
    const streaming = message({ id: "a2", content: "cut", state: "streaming", seq: 1 });
    const shown = reduce(initialState, snapshot([q1, streaming])).state;
    const cut = reduce(shown, {
      type: "finished",
      payload: {
        conversation_id: "c1",
        message_id: "a2",
        seq: 1,
        state: "complete",
        finish_reason: "length",
        usage: null,
        can_continue: true,
      },
    }).state;
    expect(cut.messages[1].can_continue).toBe(true);
    expect(messageActions(cut.messages[1], false).continueReply).toBe(true);
    const next = reduce(cut, {
      type: "started",
      payload: {
        conversation_id: "c1",
        message: message({ id: "a3", state: "streaming", content: "" }),
        prompt: q2,
        history: ["q1", "a2", "q2"],
      },
    }).state;
    expect(next.messages[1].can_continue).toBe(false);
  });
});

describe("a continued answer", () => {
  it("keeps the versions the view shows of it and of its prompt", () => {
    const prompt = message({ id: "q1", role: "user", version: { number: 2, count: 2 } });
    const cut = message({ id: "a1", content: "half", version: { number: 1, count: 3 }, can_continue: true });
    const shown = reduce(initialState, snapshot([prompt, cut])).state;
    const { state } = reduce(shown, {
      type: "started",
      payload: {
        conversation_id: "c1",
        message: message({ id: "a1", content: "half", state: "streaming" }),
        prompt: message({ id: "q1", role: "user" }),
        history: ["q1"],
      },
    });
    expect(state.messages.map(versionLabel)).toEqual(["2/2", "1/3"]);
    expect(state.messages[1]).toMatchObject({ content: "half", state: "streaming", can_continue: false });
  });
});

describe("message actions", () => {
  it("offers edit on prompts and regenerate on answers, nothing while busy", () => {
    expect(messageActions(q1, false)).toMatchObject({ edit: true, regenerate: false, remove: true });
    expect(messageActions(a1, false)).toMatchObject({ edit: false, regenerate: true });
    expect(Object.values(messageActions(a1, true)).some(Boolean)).toBe(false);
    const live = message({ state: "streaming" });
    expect(messageActions(live, false).remove).toBe(false);
  });

  it("steps only where another version exists", () => {
    const middle = message({ version: { number: 2, count: 3 } });
    expect(messageActions(middle, false)).toMatchObject({ previous: true, next: true });
    const first = message({ version: { number: 1, count: 3 } });
    expect(messageActions(first, false)).toMatchObject({ previous: false, next: true });
    expect(versionLabel(a1)).toBeNull();
  });
});

describe("copy as plain text", () => {
  it("drops the markup and keeps the words, code and list items", () => {
    const text = "# Title\n\nSome **bold** and `code` with [a link](https://x.y).\n\n- one\n- two\n\n```py\nx = 1\ny = 2\n```";
    expect(plainText(text)).toBe(
      "Title\nSome bold and code with a link.\n- one\n- two\nx = 1\ny = 2",
    );
  });

  it("keeps formulas as their LaTeX source", () => {
    expect(plainText("The area is $\\pi r^2$ here.\n\n$$\nx^2 + y^2\n$$")).toBe(
      "The area is $\\pi r^2$ here.\n$$\nx^2 + y^2\n$$",
    );
  });

  it("keeps hard line breaks and numbered lists", () => {
    expect(plainText("line one\nline two\n\n1. first\n2. second")).toBe(
      "line one\nline two\n1. first\n2. second",
    );
  });
});
