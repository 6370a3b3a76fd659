// The panel's own styles: VS Code's theme variables, so light, dark and high contrast follow.
export const STYLES = `
html, body { height: 100%; margin: 0; }
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground);
  background: var(--vscode-editor-background); padding: 0 20px; box-sizing: border-box; }
/* The panel's header stays on top; the body (a frame for HTML) fills the rest and scrolls alone. */
#app { display: flex; flex-direction: column; height: 100%; }
header.chrome { flex: none; max-height: 60%; overflow: auto; border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, transparent)); }
h1 { font-size: 1.5em; font-weight: 600; margin: 16px 0 8px; }
h2 { font-size: 1.1em; }
dl.headers { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 12px; }
dl.headers dt { color: var(--vscode-descriptionForeground); }
dl.headers dd { margin: 0; overflow-wrap: anywhere; }
.actions { display: flex; gap: 8px; margin-bottom: 12px; }
.banner { background: var(--vscode-inputValidation-infoBackground, var(--vscode-editorWidget-background));
  border: 1px solid var(--vscode-inputValidation-infoBorder, var(--vscode-contrastBorder, transparent));
  padding: 8px 12px; margin: 8px 0; display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.body { flex: 1; min-height: 0; display: flex; }
iframe.mail-frame { flex: 1; border: 0; width: 100%; height: 100%; background: transparent; }
.text { flex: 1; overflow: auto; overflow-wrap: anywhere; font-family: var(--vscode-editor-font-family); margin: 0; padding: 8px 0; }
.text p { white-space: pre-wrap; margin: 0 0 0.8em; unicode-bidi: plaintext; }
.text blockquote.quote { margin: 0 0 0.8em; padding: 0 0 0 10px; border-left: 3px solid var(--vscode-textBlockQuote-border, var(--vscode-descriptionForeground));
  color: var(--vscode-textBlockQuote-foreground, var(--vscode-descriptionForeground)); }
a { color: var(--vscode-textLink-foreground); }
ul.attachments { list-style: none; padding: 0; }
ul.attachments li { display: flex; align-items: center; gap: 8px; margin: 4px 0; }
.warning { color: var(--vscode-editorWarning-foreground); }
`;
