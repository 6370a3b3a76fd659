/** File names that come from mail are hostile until proven otherwise. */

/** Types that run code when opened; saving one asks first. */
const EXECUTABLE = new Set([
  'exe', 'scr', 'bat', 'cmd', 'com', 'pif', 'js', 'jse', 'vbs', 'vbe', 'wsf', 'wsh', 'ps1', 'psm1', 'jar', 'msi', 'msp',
  'hta', 'cpl', 'reg', 'lnk', 'app', 'dmg', 'pkg', 'sh', 'command', 'deb', 'rpm', 'appimage', 'apk', 'iso', 'docm', 'xlsm', 'pptm',
]);

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/** A name safe to offer in a save dialog on any OS: no path, no control characters, no tricks. */
export function sanitizeFilename(name: string, fallback = 'attachment'): string {
  let clean = name
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '') // controls and bidi overrides ("gpj.exe")
    .replace(/[/\\:*?"<>|]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '')
    .trim();
  if (WINDOWS_RESERVED.test(clean)) clean = `_${clean}`;
  if (clean.length > 200) {
    const dot = clean.lastIndexOf('.');
    const ext = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : '';
    clean = clean.slice(0, 200 - ext.length) + ext;
  }
  return clean || fallback;
}

export function isExecutable(name: string): boolean {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  return EXECUTABLE.has(ext);
}

/** A file name for a message exported as .eml: date and subject, made safe. */
export function emlName(subject: string, date: number, id: string): string {
  const day = date > 0 ? new Date(date).toISOString().slice(0, 10) : 'undated';
  return `${sanitizeFilename(`${day} ${subject || '(no subject)'}`.slice(0, 120), 'message')} [${id.slice(0, 12).replace(/[^A-Za-z0-9]/g, '')}].eml`;
}
