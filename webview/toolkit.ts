/**
 * The only module that knows @vscode/webview-ui-toolkit (archived upstream in January 2025;
 * @vscode-elements/elements is its successor). A swap touches this file alone.
 */
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeTag } from '@vscode/webview-ui-toolkit';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeTag());

export function button(label: string, onClick: () => void, options: { primary?: boolean; id?: string; title?: string } = {}): HTMLElement {
  const el = document.createElement('vscode-button');
  el.textContent = label;
  el.setAttribute('appearance', options.primary ? 'primary' : 'secondary');
  if (options.id) el.id = options.id;
  if (options.title) el.title = options.title;
  el.addEventListener('click', onClick);
  return el;
}

export function tag(text: string): HTMLElement {
  const el = document.createElement('vscode-tag');
  el.textContent = text;
  return el;
}
