/** Small DOM helpers shared by the webviews (reader, list). */

export function el<K extends keyof HTMLElementTagNameMap>(name: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** A codicon (VS Code's icon font, shipped in dist/codicons). */
export function icon(name: string, label?: string): HTMLElement {
  const node = el('span', { class: `codicon codicon-${name}` });
  if (label) {
    node.setAttribute('role', 'img');
    node.setAttribute('aria-label', label);
  } else {
    node.setAttribute('aria-hidden', 'true');
  }
  return node;
}

export function addStyles(css: string): void {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.append(style);
}

interface VsCodeApi<T> {
  postMessage(message: T): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi<T>(): VsCodeApi<T>;

/** The webview's channel to the host, typed by the panel's protocol module. */
export function hostChannel<T>(): VsCodeApi<T> {
  return acquireVsCodeApi<T>();
}
