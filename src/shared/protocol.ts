/**
 * The one message protocol between the extension host and the reader webview. Both bundles
 * import this file; nothing else defines what crosses the boundary.
 */

/** Host -> webview. */
export type HostMessage = { type: 'showMessage'; subject: string };

/** Webview -> host. */
export type WebviewMessage = { type: 'ready' };
