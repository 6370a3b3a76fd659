/**
 * Starts a private Postfix on 127.0.0.1 for the sending tests: submission with STARTTLS and SMTPS
 * (implicit TLS), logins checked by the test's Dovecot over its SASL socket (same users and
 * password), delivery into the Maildirs that Dovecot serves over POP3. It relays nothing and has no
 * transport off the machine. Its whole tree (config, queue, log) lives in a temporary folder.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, type Dovecot } from './dovecot';

export const POSTFIX_BIN = '/usr/sbin/postfix';
export const POSTFIX_INSTALL =
  'postfix (echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections; apt-get install -y --no-install-recommends postfix)';
export const DOMAIN = 'example.org';
/** Postfix's message size limit here (small, so the too-large test is quick). */
export const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

export interface Postfix {
  submissionPort: number;
  smtpsPort: number;
  /** SHA-256 fingerprint of its self-signed certificate. */
  fingerprint256: string;
  /** The end of Postfix's log, for a failing test's message. */
  log(): string;
  /** Resolves once every message taken has been delivered (the queue is empty). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const run = promisify(execFile);

export async function startPostfix(dovecot: Dovecot, users: string[]): Promise<Postfix> {
  if (!dovecot.saslSocket) throw new Error('Dovecot was started without the SASL socket: the postfix user did not exist then');
  const lab = mkdtempSync(join(tmpdir(), 'mailpanel-postfix-'));
  chmodSync(lab, 0o755);
  const [etc, spool, data, log, ssl] = ['etc', 'spool', 'data', 'log', 'ssl'].map((d) => join(lab, d));
  for (const dir of [etc, spool, data, log, ssl]) mkdirSync(dir, { recursive: true });
  // The queue must be root's and not writable by others; the data folder Postfix's own.
  chownSync(spool, 0, 0);
  chownSync(data, Number((await run('id', ['-u', 'postfix'])).stdout.trim()), 0);
  chmodSync(data, 0o700);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(ssl, 'key.pem'), '-out', join(ssl, 'cert.pem')]);
  const [submissionPort, smtpsPort] = [await freePort(), await freePort()];
  writeFileSync(join(etc, 'vmailbox'), users.map((u) => `${u}@${DOMAIN} ${u}/Maildir/\n`).join(''));

  writeFileSync(join(etc, 'main.cf'), `
compatibility_level = 3.6
queue_directory = ${spool}
data_directory = ${data}
maillog_file = ${log}/maillog
maillog_file_prefixes = ${log}
syslog_name = postfix-mailpanel
myhostname = localhost
mydomain = ${DOMAIN}
myorigin = ${DOMAIN}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
# Nothing local, nothing relayed, no transport off the machine.
mydestination =
relay_domains =
relayhost =
local_transport = error:5.1.1 local delivery disabled in test server
default_transport = error:5.7.1 outbound mail disabled in test server
relay_transport = error:5.7.1 outbound mail disabled in test server
smtpd_peername_lookup = no
allow_percent_hack = no
swap_bangpath = no
# A client on 127.0.0.1 would count as local and get Date, Message-ID and addresses rewritten:
# the tests check that Mail Panel writes them itself.
local_header_rewrite_clients =
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = ${DOMAIN}
virtual_mailbox_base = ${dovecot.mailRoot}
virtual_mailbox_maps = texthash:${etc}/vmailbox
virtual_uid_maps = static:11110
virtual_gid_maps = static:11110
virtual_minimum_uid = 1000
message_size_limit = ${MAX_MESSAGE_BYTES}
virtual_mailbox_limit = 0
smtpd_tls_cert_file = ${ssl}/cert.pem
smtpd_tls_key_file = ${ssl}/key.pem
smtpd_tls_security_level = may
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${dovecot.saslSocket}
smtpd_tls_auth_only = yes
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = reject_unlisted_recipient, permit_sasl_authenticated, reject
smtpd_client_restrictions = permit_sasl_authenticated, reject
smtpd_error_sleep_time = 0
`);
  writeFileSync(join(etc, 'master.cf'), `
127.0.0.1:${submissionPort} inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
127.0.0.1:${smtpsPort} inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
virtual unix - n n - - virtual
postlog unix-dgram n - n - 1 postlogd
`);
  // Postfix commands stall 1.5-2 s on a config file changed in the last second: date them back.
  const past = new Date(Date.now() - 60_000);
  for (const f of ['main.cf', 'master.cf', 'vmailbox']) utimesSync(join(etc, f), past, past);
  const readLog = () => (existsSync(join(log, 'maillog')) ? readFileSync(join(log, 'maillog'), 'utf8').split('\n').slice(-30).join('\n') : '');
  try {
    // `postfix start` returns once the master's listeners are up.
    await run(POSTFIX_BIN, ['-c', etc, 'start']);
  } catch (err) {
    const check = await run(POSTFIX_BIN, ['-c', etc, 'check']).catch((e: { stderr?: string }) => ({ stderr: e.stderr ?? '' }));
    throw new Error(`postfix did not start: ${(err as Error).message}\n${check.stderr}\n${readLog()}`, { cause: err });
  }
  return {
    submissionPort,
    smtpsPort,
    fingerprint256: new X509Certificate(readFileSync(join(ssl, 'cert.pem'))).fingerprint256,
    log: readLog,
    async settled() {
      for (let i = 0; i < 500; i++) {
        if (/Mail queue is empty/.test((await run('/usr/sbin/postqueue', ['-c', etc, '-p'])).stdout)) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`Postfix's queue did not empty within 10 s:\n${readLog()}`);
    },
    async stop() {
      const pid = Number(readFileSync(join(spool, 'pid', 'master.pid'), 'utf8').trim());
      await run(POSTFIX_BIN, ['-c', etc, 'stop']).catch(() => undefined);
      await gone(pid);
      rmSync(lab, { recursive: true, force: true });
    },
  };
}

/** Waits for a process that is not our child to end (a zombie counts as ended: PID 1 reaps it late). */
async function gone(pid: number): Promise<void> {
  for (let i = 0; i < 250; i++) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return;
    }
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until a user's Maildir holds `count` messages (Postfix delivers after it has answered). */
export async function delivered(dovecot: Dovecot, user: string, count = 1): Promise<string[]> {
  for (let i = 0; i < 500; i++) {
    const files = dovecot.messageFiles(user);
    if (files.length >= count) return files;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${user} got ${dovecot.messageFiles(user).length} of ${count} messages within 10 s`);
}
