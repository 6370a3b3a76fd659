/** Debian's Chromium driven by playwright-core, with the flags this machine needs. */
import type { Browser } from 'playwright-core';

export const CHROMIUM_BIN = '/usr/bin/chromium';
export const CHROMIUM_INSTALL = 'chromium (apt-get install -y chromium)';

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM_BIN,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** Enough of VS Code's theme variables for the webview to look as it does in the editor. */
export const THEMES: Record<'light' | 'dark' | 'high-contrast', Record<string, string>> = {
  light: {
    '--vscode-list-activeSelectionBackground': '#e4e6f1', '--vscode-list-inactiveSelectionBackground': '#e4e6f1', '--vscode-list-hoverBackground': '#f2f2f2', '--vscode-list-focusOutline': '#005fb8', '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#3b3b3b', '--vscode-input-border': '#cecece', '--vscode-panel-border': '#e5e5e5', '--vscode-inputOption-activeBackground': '#bed6ed', '--vscode-toolbar-hoverBackground': '#b8b8b850',
    '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px', '--vscode-foreground': '#3b3b3b',
    '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#717171', '--vscode-textLink-foreground': '#005fb8',
    '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-button-secondaryBackground': '#e5e5e5',
    '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-editorWidget-background': '#f8f8f8', '--vscode-editor-font-family': 'monospace',
    '--vscode-badge-background': '#cccccc', '--vscode-badge-foreground': '#3b3b3b', '--vscode-focusBorder': '#005fb8',
  },
  dark: {
    '--vscode-list-activeSelectionBackground': '#04395e', '--vscode-list-inactiveSelectionBackground': '#37373d', '--vscode-list-hoverBackground': '#2a2d2e', '--vscode-list-focusOutline': '#0078d4', '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc', '--vscode-input-border': '#3c3c3c', '--vscode-panel-border': '#2b2b2b', '--vscode-inputOption-activeBackground': '#2489db82', '--vscode-toolbar-hoverBackground': '#5a5d5e50',
    '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px', '--vscode-foreground': '#cccccc',
    '--vscode-editor-background': '#1f1f1f', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-textLink-foreground': '#4daafc',
    '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-button-secondaryBackground': '#313131',
    '--vscode-button-secondaryForeground': '#cccccc', '--vscode-editorWidget-background': '#202020', '--vscode-editor-font-family': 'monospace',
    '--vscode-badge-background': '#616161', '--vscode-badge-foreground': '#f8f8f8', '--vscode-focusBorder': '#0078d4',
  },
  'high-contrast': {
    '--vscode-list-activeSelectionBackground': '#000000', '--vscode-list-focusOutline': '#f38518', '--vscode-list-hoverBackground': '#000000', '--vscode-input-background': '#000000', '--vscode-input-foreground': '#ffffff', '--vscode-input-border': '#6fc3df', '--vscode-panel-border': '#6fc3df', '--vscode-inputOption-activeBorder': '#6fc3df', '--vscode-list-activeSelectionForeground': '#ffffff',
    '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px', '--vscode-foreground': '#ffffff',
    '--vscode-editor-background': '#000000', '--vscode-descriptionForeground': '#ffffff', '--vscode-textLink-foreground': '#21a6ff',
    '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-contrastBorder': '#6fc3df',
    '--vscode-editorWidget-background': '#0c141f', '--vscode-editor-font-family': 'monospace', '--vscode-focusBorder': '#f38518',
  },
};
