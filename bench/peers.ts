/**
 * The other POP3 clients `npm run bench` runs beside Mail Panel, each set up as its users would
 * for the same job (every message fetched, none deleted) into a fresh place per run: mpop (Maildir,
 * an fsync per message, pipelining on), getmail6 (Maildir, fsync per message) and fetchmail (one
 * output file, no fsync). Each gives the command line to run; the bench measures it.
 */
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Mailbox {
  port: number;
  user: string;
  password: string;
}

export interface PeerCommand {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export interface Peer {
  name: string;
  /** The Debian package that brings it. */
  pkg: string;
  installed: () => boolean;
  /** Sets up `dir` (fresh, empty) and says how to run one fetch of `box` into it. */
  prepare(box: Mailbox, dir: string): PeerCommand;
}

const maildir = (dir: string) => {
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, 'Maildir', sub), { recursive: true });
  return join(dir, 'Maildir');
};

export const PEERS: Peer[] = [
  {
    name: 'mpop (Maildir, fsync per message, pipelining)',
    pkg: 'mpop',
    installed: () => existsSync('/usr/bin/mpop'),
    prepare(box, dir) {
      const into = maildir(dir);
      const rc = join(dir, 'mpoprc');
      writeFileSync(
        rc,
        [
          'defaults',
          'tls off',
          'auth user',
          'pipelining on',
          'keep on',
          'received_header off',
          `uidls_file ${join(dir, 'uidls')}`,
          'account bench',
          'host 127.0.0.1',
          `port ${box.port}`,
          `user ${box.user}`,
          `password ${box.password}`,
          `delivery maildir ${into}`,
          'account default : bench',
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      return { command: '/usr/bin/mpop', args: ['-C', rc, '-q', 'bench'] };
    },
  },
  {
    name: 'getmail6 (Maildir, fsync per message)',
    pkg: 'getmail6',
    installed: () => existsSync('/usr/bin/getmail'),
    prepare(box, dir) {
      const into = maildir(dir);
      writeFileSync(
        join(dir, 'getmailrc'),
        `[retriever]\ntype = SimplePOP3Retriever\nserver = 127.0.0.1\nport = ${box.port}\nusername = ${box.user}\npassword = ${box.password}\n\n[destination]\ntype = Maildir\npath = ${into}/\n\n[options]\nread_all = true\ndelete = false\nverbose = 0\n`,
      );
      // getmail refuses Maildir delivery as root: run it as nobody.
      for (const entry of ['', ...readdirSync(dir, { recursive: true }).map(String)]) chownSync(join(dir, entry), 65534, 65534);
      return { command: '/usr/bin/setpriv', args: ['--reuid=65534', '--regid=65534', '--clear-groups', '/usr/bin/getmail', `--rcfile=${join(dir, 'getmailrc')}`, `--getmaildir=${dir}`] };
    },
  },
  {
    name: 'fetchmail (one output file, no fsync)',
    pkg: 'fetchmail',
    installed: () => existsSync('/usr/bin/fetchmail'),
    prepare(box, dir) {
      mkdirSync(dir, { recursive: true });
      const rc = join(dir, 'fetchmailrc');
      writeFileSync(
        rc,
        `set no syslog\nset no bouncemail\npoll 127.0.0.1 service ${box.port} protocol pop3 auth password bad-header accept\n  user "${box.user}" there with password "${box.password}" is "root" here keep fetchall sslproto "" bsmtp "${join(dir, 'out.bsmtp')}"\n`,
        { mode: 0o600 },
      );
      return { command: '/usr/bin/fetchmail', args: ['-N', '-f', rc, '--pidfile', join(dir, 'pid')], env: { ...process.env, HOME: dir, FETCHMAILHOME: dir } };
    },
  },
];
