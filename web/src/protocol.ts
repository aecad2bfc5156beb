// The companion protocol, mirrored from streamchat_desktop/companion/protocol.py.
// tests/companion/test_protocol_mirror.py parses this file: keep every constant and
// interface field here in step with the Python module (same names, same values).

// 2: messages carry attachments, /files, prompt:send files
// 3: actions on every message (edit, regenerate, versions, continue, delete with Undo);
//    messages carry their version position and whether they can be continued
export const PROTOCOL_VERSION = 3;

// server → client
export const SNAPSHOT = "snapshot";
export const MESSAGE_STARTED = "message:started";
export const MESSAGE_DELTA = "message:delta";
export const MESSAGE_FINISHED = "message:finished";
export const MESSAGE_FAILED = "message:failed";
export const CONVERSATION_UPDATED = "conversation:updated";
export const CONVERSATION_DELETED = "conversation:deleted";
// views watch tool calls; only the desktop approves them
export const TOOL_CHANGED = "tool:changed";
// the shown branch changed shape: show these messages
export const BRANCH_CHANGED = "branch:changed";

// client → server (each answered with an ack)
export const PROMPT_SEND = "prompt:send";
export const REPLY_STOP = "reply:stop";
export const CONVERSATION_OPEN = "conversation:open";
export const MESSAGE_EDIT = "message:edit";
export const MESSAGE_REGENERATE = "message:regenerate";
export const MESSAGE_CONTINUE = "message:continue";
export const MESSAGE_DELETE = "message:delete";
export const MESSAGE_RESTORE = "message:restore";
export const VERSION_SWITCH = "version:switch";

// limits
export const MAX_PROMPT_CHARS = 32000;
export const MAX_ID_CHARS = 64;
export const MAX_PACKET_BYTES = 262144;
export const MAX_JSON_DEPTH = 32;
export const MAX_SNAPSHOT_MESSAGES = 200;
export const MAX_SNAPSHOT_CONVERSATIONS = 200;
export const RATE_BURST = 20;
export const RATE_PER_SECOND = 5.0;
export const MAX_TOOL_RESULT_CHARS = 20000;

// attachments: POST FILES_PATH?name=… (Authorization: Bearer <token>, the file as the
// body) answers an UploadAck; prompt:send names uploads in `files`;
// GET FILES_PATH/<sha256>?token=… serves a stored file (an image as sent to the model)
export const FILES_PATH = "/files";
export const MAX_FILE_NAME_CHARS = 255;
export const MAX_FILE_BYTES = 20971520;
export const MAX_FILES = 10;

// ack error codes
export const ERROR_INVALID = "invalid_payload";
export const ERROR_PROMPT_TOO_LONG = "prompt_too_long";
export const ERROR_RATE_LIMITED = "rate_limited";
export const ERROR_NOT_FOUND = "not_found";
export const ERROR_BUSY = "busy";
export const ERROR_STORAGE = "storage_unavailable";
export const ERROR_INTERNAL = "internal";
export const ERROR_FILE_REFUSED = "file_refused";

// connection refusals (connect_error message)
export const REFUSED_UNAUTHORIZED = "unauthorized";
export const REFUSED_ORIGIN = "forbidden_origin";
export const REFUSED_FULL = "too_many_views";

export interface UsageInfo {
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  reasoning_tokens: number | null;
}

export interface ErrorInfo {
  kind: string;
  message: string;
}

export interface ConversationSummary {
  id: string;
  title: string;
  model: string | null;
  updated_at: number;
}

export interface AttachmentInfo {
  name: string;
  media_type: string;
  size: number;
  kind: string; // "image", "pdf" or "text"
  sha256: string;
}

export interface UploadAck {
  ok: true;
  id: string;
  name: string;
  media_type: string;
  size: number;
  kind: string;
  pages: number | null;
}

export interface ToolCallView {
  id: string;
  name: string;
  server: string;
  arguments: string;
  status: string; // "pending" | "running" | "done" | "failed" | "declined"
  result: string; // cut at MAX_TOOL_RESULT_CHARS
  result_chars: number;
  images: number;
}

export interface VersionInfo {
  number: number;
  count: number;
}

export interface MessageView {
  id: string;
  conversation_id: string;
  role: string;
  content: string;
  reasoning: string;
  state: string;
  finish_reason: string | null;
  error: ErrorInfo | null;
  usage: UsageInfo | null;
  model: string | null;
  created_at: number;
  seq: number;
  attachments: AttachmentInfo[];
  tool_calls: ToolCallView[];
  version: VersionInfo | null; // its place among its versions; null: it has none
  can_continue: boolean; // a cut last answer that message:continue goes on with
}

export interface SnapshotPayload {
  protocol: number;
  conversations: ConversationSummary[];
  active_conversation_id: string | null;
  following: boolean;
  conversation: ConversationSummary | null;
  messages: MessageView[];
  omitted: number;
}

export interface MessageStartedPayload {
  conversation_id: string;
  message: MessageView;
  prompt: MessageView | null;
  history: string[]; // ids of the messages before the reply, oldest first
}

export interface MessageDeltaPayload {
  conversation_id: string;
  message_id: string;
  first_seq: number;
  seq: number;
  text: string;
  reasoning: string;
}

export interface MessageFinishedPayload {
  conversation_id: string;
  message_id: string;
  seq: number;
  state: string;
  finish_reason: string | null;
  usage: UsageInfo | null;
  can_continue: boolean;
}

export interface MessageFailedPayload {
  conversation_id: string;
  message_id: string;
  seq: number;
  error: ErrorInfo;
  usage: UsageInfo | null;
  can_continue: boolean;
}

export interface BranchChangedPayload {
  conversation_id: string;
  messages: MessageView[];
  omitted: number;
}

export interface ToolChangedPayload {
  conversation_id: string;
  message_id: string;
  call: ToolCallView;
}

export interface ConversationUpdatedPayload {
  conversation: ConversationSummary;
}

export interface ConversationDeletedPayload {
  conversation_id: string; // a view that showed it is sent a snapshot of another
}

export interface AckOk {
  ok: true;
  conversation_id?: string;
  message_id?: string; // message:delete: the id message:restore takes to undo it
  stopped?: boolean;
  version?: VersionInfo; // version:switch: the version now shown
}

export interface AckError {
  ok: false;
  error: string;
  message: string;
}

export type Ack = AckOk | AckError;

export interface ServerEvents {
  [SNAPSHOT]: (payload: SnapshotPayload) => void;
  [MESSAGE_STARTED]: (payload: MessageStartedPayload) => void;
  [MESSAGE_DELTA]: (payload: MessageDeltaPayload) => void;
  [MESSAGE_FINISHED]: (payload: MessageFinishedPayload) => void;
  [MESSAGE_FAILED]: (payload: MessageFailedPayload) => void;
  [CONVERSATION_UPDATED]: (payload: ConversationUpdatedPayload) => void;
  [CONVERSATION_DELETED]: (payload: ConversationDeletedPayload) => void;
  [TOOL_CHANGED]: (payload: ToolChangedPayload) => void;
  [BRANCH_CHANGED]: (payload: BranchChangedPayload) => void;
}

type Request<P> = (payload: P, ack: (answer: Ack) => void) => void;

export interface ClientEvents {
  [PROMPT_SEND]: (
    payload: { conversation_id?: string | null; text: string; files?: string[] },
    ack: (answer: Ack) => void,
  ) => void;
  [REPLY_STOP]: (payload: { message_id: string }, ack: (answer: Ack) => void) => void;
  [CONVERSATION_OPEN]: (
    payload: { conversation_id: string | null },
    ack: (answer: Ack) => void,
  ) => void;
  [MESSAGE_EDIT]: Request<{ message_id: string; text: string }>;
  [MESSAGE_REGENERATE]: Request<{ message_id: string }>;
  [MESSAGE_CONTINUE]: Request<{ message_id: string }>;
  [MESSAGE_DELETE]: Request<{ message_id: string }>;
  [MESSAGE_RESTORE]: Request<{ message_id: string }>;
  [VERSION_SWITCH]: Request<{ message_id: string; step: -1 | 1 }>;
}
