/**
 * Starts a private Dovecot POP3 server on 127.0.0.1 for interoperability tests: plain POP3 with
 * STLS and implicit TLS on free high ports, a passwd-file with plaintext passwords (so APOP and
 * CRAM-MD5 work), a Maildir per user and a fresh self-signed certificate. Runs in the foreground
 * as our child process, so it ends with the tests.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DOVECOT_BIN = '/usr/sbin/dovecot';
export const DOVECOT_INSTALL = 'dovecot-core dovecot-pop3d openssl (apt-get install -y dovecot-core dovecot-pop3d openssl)';

// Dovecot refuses to access mail as uid 0; this uid need not exist in /etc/passwd.
const MAIL_UID = 11110;
const MAIL_GID = 11110;

export interface Dovecot {
  pop3Port: number;
  pop3sPort: number;
  password: string;
  /** SHA-256 fingerprint of the server certificate, "AB:CD:..". */
  fingerprint256: string;
  maildir(user: string): string;
  /** The folder holding every user's mail (`<root>/<user>/Maildir`). */
  mailRoot: string;
  /** Dovecot's SASL socket for Postfix (test/support/postfix.ts), when the postfix user exists. */
  saslSocket?: string;
  /** Puts messages into a user's Maildir (cur/), as a delivery agent would. Returns the file names. */
  deliver(user: string, messages: Buffer[]): string[];
  /** The message files currently in a user's Maildir (new/ and cur/). */
  messageFiles(user: string): string[];
  clear(user: string): void;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let deliveries = 0;

export async function startDovecot(users: string[] = ['alice', 'bob'], password = 'secret'): Promise<Dovecot> {
  const lab = mkdtempSync(join(tmpdir(), 'mailpanel-dovecot-'));
  chmodSync(lab, 0o755); // Dovecot's auth process runs as user dovecot and must reach the passwd-file
  const [pop3Port, pop3sPort] = [await freePort(), await freePort()];
  for (const dir of ['run', 'state', 'ssl', 'mail']) mkdirSync(join(lab, dir), { recursive: true });
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(lab, 'ssl/server.key'), '-out', join(lab, 'ssl/server.crt'),
  ], { stdio: 'ignore' });
  const fingerprint256 = new X509Certificate(readFileSync(join(lab, 'ssl/server.crt'))).fingerprint256;

  const postfixUser = /^postfix:/m.test(safeRead('/etc/passwd'));
  const maildir = (user: string) => join(lab, 'mail', user, 'Maildir');
  const passwd = users.map((u) => `${u}:{PLAIN}${password}:${MAIL_UID}:${MAIL_GID}::${join(lab, 'mail', u)}::`).join('\n');
  writeFileSync(join(lab, 'passwd'), `${passwd}\n`);
  for (const u of users) for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir(u), sub), { recursive: true });
  chownTree(join(lab, 'mail'));

  // The config parser rejects one-line { } blocks; keep each block on its own lines.
  writeFileSync(join(lab, 'dovecot.conf'), `
base_dir = ${lab}/run
state_dir = ${lab}/state
instance_name = mailpanel-test-${pop3Port}
protocols = pop3
listen = 127.0.0.1
log_path = ${lab}/dovecot.log
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:~/Maildir
first_valid_uid = 1000
ssl = yes
ssl_cert = <${lab}/ssl/server.crt
ssl_key = <${lab}/ssl/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 apop
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${lab}/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u ${lab}/passwd
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${pop3Port}
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = ${pop3sPort}
    ssl = yes
  }
}
${postfixUser ? `# Postfix (test/support/postfix.ts) checks SMTP logins against the same users.
service auth {
  unix_listener auth-smtp {
    mode = 0660
    user = postfix
  }
}
` : ''}# Wrong-password tests would otherwise slow every later login from 127.0.0.1 (up to 15 s).
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
protocol pop3 {
  mail_max_userip_connections = 1000
  pop3_uidl_format = %08Xv%08Xu
}
`);
  const child: ChildProcess = spawn(DOVECOT_BIN, ['-F', '-c', join(lab, 'dovecot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  await waitForPort(pop3Port, child, () => `${stderr}\n${safeRead(join(lab, 'dovecot.log'))}`);
  const saslSocket = postfixUser ? join(lab, 'run', 'auth-smtp') : undefined;

  return {
    pop3Port,
    pop3sPort,
    password,
    fingerprint256,
    maildir,
    mailRoot: join(lab, 'mail'),
    saslSocket,
    deliver(user, messages) {
      const names = messages.map((message) => {
        const name = `${Date.now()}.M${++deliveries}P${process.pid}.mailpanel-test:2,`;
        writeFileSync(join(maildir(user), 'cur', name), message);
        return name;
      });
      chownTree(maildir(user));
      return names;
    },
    messageFiles(user) {
      return ['new', 'cur'].flatMap((sub) => readdirSync(join(maildir(user), sub)).map((f) => join(sub, f)));
    },
    clear(user) {
      for (const sub of ['new', 'cur']) for (const f of readdirSync(join(maildir(user), sub))) rmSync(join(maildir(user), sub, f));
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(lab, { recursive: true, force: true });
    },
  };
}

function chownTree(path: string): void {
  chownSync(path, MAIL_UID, MAIL_GID);
  for (const entry of readdirSync(path, { recursive: true })) chownSync(join(path, String(entry)), MAIL_UID, MAIL_GID);
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function waitForPort(port: number, child: ChildProcess, diagnostics: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`dovecot exited with ${child.exitCode}:\n${diagnostics()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`dovecot did not open port ${port} within 10 s:\n${diagnostics()}`);
}
