// The panel's own styles: VS Code's theme variables, so light, dark and high contrast follow.
export const STYLES = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground);
  background: var(--vscode-editor-background); padding: 0 20px 20px; }
h1 { font-size: 1.5em; font-weight: 600; margin: 16px 0 8px; }
h2 { font-size: 1.1em; }
dl.headers { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 12px; }
dl.headers dt { color: var(--vscode-descriptionForeground); }
dl.headers dd { margin: 0; overflow-wrap: anywhere; }
.actions { display: flex; gap: 8px; margin-bottom: 12px; }
.banner { background: var(--vscode-inputValidation-infoBackground, var(--vscode-editorWidget-background));
  border: 1px solid var(--vscode-inputValidation-infoBorder, var(--vscode-contrastBorder, transparent));
  padding: 8px 12px; margin: 8px 0; display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.body { margin: 12px 0; }
pre.text { white-space: pre-wrap; overflow-wrap: anywhere; font-family: var(--vscode-editor-font-family); margin: 0; }
a { color: var(--vscode-textLink-foreground); }
ul.attachments { list-style: none; padding: 0; }
ul.attachments li { display: flex; align-items: center; gap: 8px; margin: 4px 0; }
.warning { color: var(--vscode-editorWarning-foreground); }
`;
