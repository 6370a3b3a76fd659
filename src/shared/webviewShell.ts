/**
 * The HTML around each webview panel's script (reader, list): the Content-Security-Policy, the
 * nonce that lets our one script run, and what the page shows before the script does.
 */
export interface ShellOptions {
  csp: string;
  nonce: string;
  scriptUri: string;
  title: string;
  /** Extra <head> content (a style sheet of ours). */
  head?: string;
  /** The body before the script runs. */
  body?: string;
}

export function webviewShell(o: ShellOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${o.csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
${o.head ?? ''}<title>${o.title}</title>
</head>
<body>
${o.body ?? ''}<script nonce="${o.nonce}" src="${o.scriptUri}"></script>
</body>
</html>`;
}
