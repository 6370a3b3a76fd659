/**
 * The one message protocol between the extension host and the reader webview. Both bundles
 * import this file; nothing else defines what crosses the boundary.
 */

export interface AttachmentView {
  index: number;
  filename: string;
  contentType: string;
  size: number;
  executable: boolean;
}

export interface MessageView {
  id: string;
  subject: string;
  from: string;
  to: string;
  cc: string;
  /** ISO date, or '' when the message has none. */
  date: string;
  /** HTML is sent as the message has it; the webview sanitizes it (DOMPurify) before display. */
  body: { kind: 'html'; html: string } | { kind: 'text'; text: string };
  attachments: AttachmentView[];
  /** Whether the HTML refers to anything remote (images, fonts, style sheets). */
  hasRemoteContent: boolean;
  /** Only the headers were downloaded (over the size limit). */
  partial: boolean;
}

/** The message a reader shows, as its webview keeps it across window reloads. */
export interface ReaderRef {
  accountId: string;
  messageId: string;
}

/** A saved webview state, checked: it comes back from VS Code's storage. */
export function readerRefOf(state: unknown): ReaderRef | undefined {
  const ref = (state as { ref?: Partial<ReaderRef> } | undefined)?.ref;
  return typeof ref?.accountId === 'string' && typeof ref.messageId === 'string' ? { accountId: ref.accountId, messageId: ref.messageId } : undefined;
}

/** Host -> webview. */
export type HostMessage =
  /** `ref`: which message, kept in the webview's state so the reader comes back after a window reload. */
  | { type: 'show'; message: MessageView; remoteAllowed: boolean; ref: ReaderRef }
  | { type: 'pageDown' }
  /** The message left the store (Empty Trash, another window): the view stays, its actions go. */
  | { type: 'gone' };

/** Webview -> host. */
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'openLink'; url: string }
  | { type: 'loadRemote' }
  | { type: 'saveAttachment'; index: number }
  | { type: 'openSource' }
  | { type: 'reply'; all?: boolean }
  | { type: 'forward' }
  | { type: 'downloadFull' };
