/** The list's look: VS Code's theme variables only, so light, dark and high contrast follow the editor. */
export const ROW_HEIGHT = 24;

export const STYLES = `
:root { color-scheme: light dark; }
html, body { height: 100%; margin: 0; padding: 0; overflow: hidden; }
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground);
  background: var(--vscode-editor-background); display: flex; flex-direction: column; }
button { font: inherit; color: inherit; }
[hidden] { display: none !important; }
#toolbar { display: flex; gap: 4px; align-items: center; padding: 6px 8px; border-bottom: 1px solid var(--vscode-panel-border, transparent); flex: none; }
#filter { flex: 1; min-width: 80px; padding: 3px 6px; color: var(--vscode-input-foreground); background: var(--vscode-input-background);
  border: 1px solid var(--vscode-input-border, transparent); border-radius: 2px; font: inherit; }
#filter:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.tool { background: none; border: 1px solid transparent; border-radius: 3px; padding: 2px 4px; cursor: pointer; display: inline-flex; align-items: center; }
.tool:hover { background: var(--vscode-toolbar-hoverBackground); }
.tool[aria-pressed="true"] { background: var(--vscode-inputOption-activeBackground); border-color: var(--vscode-inputOption-activeBorder, transparent);
  color: var(--vscode-inputOption-activeForeground, inherit); }
.tool:focus-visible, .colhead:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
#query-error { padding: 4px 8px; color: var(--vscode-inputValidation-errorForeground, var(--vscode-errorForeground));
  background: var(--vscode-inputValidation-errorBackground, transparent); border-bottom: 1px solid var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); }
#filter[aria-invalid="true"] { border-color: var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); }
#count { color: var(--vscode-descriptionForeground); white-space: nowrap; padding: 0 4px; }
#grid { flex: 1; display: flex; flex-direction: column; min-height: 0; outline: none; }
#grid:focus-visible #scroller { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.row { display: grid; grid-template-columns: var(--columns); align-items: center; height: ${ROW_HEIGHT}px; box-sizing: border-box; cursor: default; }
#header { flex: none; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-contrastBorder, transparent)); user-select: none;
  color: var(--vscode-descriptionForeground); }
.colhead { position: relative; display: flex; align-items: center; gap: 2px; height: 100%; padding: 0 6px; overflow: hidden; white-space: nowrap;
  background: none; border: none; text-align: left; cursor: pointer; }
.colhead:hover { color: var(--vscode-foreground); }
.resize { position: absolute; right: 0; top: 3px; bottom: 3px; width: 5px; cursor: col-resize; border-right: 1px solid var(--vscode-panel-border, var(--vscode-descriptionForeground)); }
#scroller { flex: 1; overflow-y: auto; overflow-x: hidden; position: relative; contain: strict; }
#spacer { position: relative; width: 100%; contain: layout style; }
/* Each row is laid out and painted on its own: a scroll step lays out only the rows it adds. */
#spacer .row { position: absolute; left: 0; right: 0; top: 0; contain: strict; }
.cell { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; padding: 0 6px; }
.cell.icon { padding: 0; text-align: center; }
.cell.num { text-align: right; font-variant-numeric: tabular-nums; }
.row.unread .subject, .row.unread .correspondent { font-weight: 600; }
.row.unread .codicon-circle-filled { color: var(--vscode-notificationsInfoIcon-foreground, var(--vscode-textLink-foreground)); font-size: 10px; }
.row.partial .subject { font-style: italic; }
.subject .codicon-cloud-download { margin-right: 4px; }
#spacer .row:hover { background: var(--vscode-list-hoverBackground); }
#spacer .row[aria-selected="true"] { background: var(--vscode-list-inactiveSelectionBackground); color: var(--vscode-list-inactiveSelectionForeground, inherit); }
#grid:focus-within #spacer .row[aria-selected="true"] { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground, inherit); }
#grid:focus-within #spacer .row.focused { outline: 1px solid var(--vscode-list-focusOutline, var(--vscode-focusBorder)); outline-offset: -1px; }
.row.loading .cell { color: var(--vscode-descriptionForeground); }
.twisty { display: inline-block; width: 16px; text-align: center; vertical-align: middle; cursor: pointer; }
.thread-count { margin-left: 6px; padding: 0 5px; border-radius: 8px; font-size: 0.85em; font-weight: normal;
  background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
.snippet { color: var(--vscode-descriptionForeground); font-weight: normal; margin-left: 8px; }
.snippet mark { background: var(--vscode-editor-findMatchHighlightBackground, transparent); color: inherit;
  outline: 1px solid var(--vscode-editor-findMatchHighlightBorder, transparent); }
#column-menu { position: absolute; z-index: 10; right: 8px; top: 36px; min-width: 160px; padding: 4px 0;
  background: var(--vscode-menu-background, var(--vscode-editorWidget-background)); color: var(--vscode-menu-foreground, inherit);
  border: 1px solid var(--vscode-menu-border, var(--vscode-widget-border, var(--vscode-contrastBorder, transparent)));
  box-shadow: 0 2px 8px var(--vscode-widget-shadow, transparent); border-radius: 4px; }
#column-menu[hidden] { display: none; }
.menuitem { display: flex; gap: 6px; align-items: center; width: 100%; padding: 3px 10px; background: none; border: none; text-align: left; cursor: pointer; }
.menuitem:hover, .menuitem:focus { background: var(--vscode-menu-selectionBackground, var(--vscode-list-activeSelectionBackground));
  color: var(--vscode-menu-selectionForeground, inherit); outline: none; }
#empty { padding: 16px; color: var(--vscode-descriptionForeground); }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
