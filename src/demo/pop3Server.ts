/**
 * A small POP3 server of our own on 127.0.0.1: it serves the demo mailbox (`npm run demo`) and,
 * scripted, the fault-injection tests (drops, stalls, garbage, missing capabilities, -ERR at a
 * chosen step). It speaks enough of RFC 1939/2449 for any client, applies DELE at QUIT, and
 * records what the client sent. It complements the real Dovecot tier; it does not replace it.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

export interface Pop3Mailbox {
  messages: Buffer[];
  /** UIDLs for `messages` (default uid-1, uid-2, ...). */
  uids?: string[];
  user?: string;
  pass?: string;
}

export interface ServedMessage {
  uid: string;
  data: Buffer;
}

export interface Pop3ServerSession {
  /** The socket commands arrive on: the TLS one once STLS has upgraded the connection. */
  socket: net.Socket;
  /** The server name the client asked for in its TLS handshake (SNI), if any. */
  servername?: string;
  /** Writes raw bytes (split into pieces when `splitWrites` is set). */
  write(data: string | Buffer): void;
  commands: string[];
}

export interface Pop3ServerOptions extends Pop3Mailbox {
  /** The greeting line, or null to never send one (a stalled server). */
  greeting?: string | null;
  /** Capability lines; null makes CAPA answer -ERR (an RFC 1939-only server). */
  capa?: string[] | null;
  uidl?: boolean;
  top?: boolean;
  /** Answer -ERR to the first command that starts with this word. */
  errOn?: string;
  errText?: string;
  /** Handles a command before the default logic; return true when it answered. */
  intercept?: (command: string, session: Pop3ServerSession) => boolean | void;
  /** Like Gmail: each session shows only this many messages not shown to an earlier session. */
  perSessionLimit?: number;
  /** Write responses in pieces of this many bytes, a millisecond apart (separate TCP segments). */
  splitWrites?: number;
  /** TLS from the first byte ('implicit', pop3s) or after STLS ('stls', offered in CAPA), with this key and certificate. */
  tls?: { mode: 'implicit' | 'stls'; key: string; cert: string };
}

export interface Pop3Server {
  port: number;
  sessions: Pop3ServerSession[];
  /** Most commands the server ever held unanswered at once, over all sessions. */
  maxOutstanding: number;
  /** The mailbox as it stands; DELEs are applied at QUIT, as RFC 1939 says. */
  mailbox: ServedMessage[];
  /** Messages removed by QUIT, over all sessions. */
  deleted: ServedMessage[];
  /** The greeting for the next sessions (null: none, a stalled server). */
  setGreeting(line: string | null): void;
  close(): Promise<void>;
}

export function dotStuff(message: Buffer): Buffer {
  const text = message.toString('latin1').replace(/(^|\n)\./g, '$1..');
  const body = text.length === 0 || text.endsWith('\n') ? text : `${text}\r\n`;
  return Buffer.from(`${body}.\r\n`, 'latin1');
}

export async function startPop3Server(initialOptions: Pop3ServerOptions): Promise<Pop3Server> {
  let options = initialOptions;
  const sessions: Pop3ServerSession[] = [];
  const sockets = new Set<net.Socket>();
  const state: Pop3Server = {
    port: 0,
    sessions,
    maxOutstanding: 0,
    mailbox: options.messages.map((data, i) => ({ uid: options.uids?.[i] ?? `uid-${i + 1}`, data })),
    deleted: [],
    setGreeting: (line) => {
      options = { ...options, greeting: line };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const user = options.user ?? 'alice';
  const pass = options.pass ?? 'secret';
  const capa = options.capa === undefined ? ['USER', 'UIDL', 'TOP', 'PIPELINING', ...(options.tls?.mode === 'stls' ? ['STLS'] : [])] : options.capa;

  const handedOut = new Set<ServedMessage>();
  const tlsOptions = options.tls;
  const onConnection = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true);
    let writeChain = Promise.resolve();
    const session: Pop3ServerSession = {
      socket,
      commands: [],
      write(data) {
        const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
        const size = options.splitWrites;
        if (!size) {
          if (!session.socket.destroyed) session.socket.write(buf);
          return;
        }
        for (let i = 0; i < buf.length; i += size) {
          const piece = buf.subarray(i, i + size);
          writeChain = writeChain.then(
            () => new Promise<void>((r) => setTimeout(() => (session.socket.destroyed ? r() : session.socket.write(piece, () => r())), 1)),
          );
        }
      },
    };
    sessions.push(session);
    const pendingDeletes = new Set<number>();
    // This session's view, numbered from 1 (the maildrop is locked for the session).
    const messages = options.perSessionLimit ? state.mailbox.filter((m) => !handedOut.has(m)).slice(0, options.perSessionLimit) : [...state.mailbox];
    for (const m of messages) handedOut.add(m);
    let loggedIn = false;
    let errUsed = false;
    let buffered = '';
    let outstanding = 0;

    const answer = (line: string) => {
      session.commands.push(line);
      const [word, ...args] = line.split(' ');
      const cmd = word.toUpperCase();
      if (options.intercept?.(line, session)) return;
      if (options.errOn && !errUsed && cmd === options.errOn) {
        errUsed = true;
        return session.write(`-ERR ${options.errText ?? 'refused'}\r\n`);
      }
      const n = Number(args[0]);
      const entry = Number.isInteger(n) && n >= 1 && n <= messages.length && !pendingDeletes.has(n) ? messages[n - 1] : undefined;
      const msg = entry?.data;
      const live = messages.map((e, i) => ({ m: e.data, uid: e.uid, i: i + 1 })).filter(({ i }) => !pendingDeletes.has(i));
      switch (cmd) {
        case 'CAPA':
          return session.write(capa ? `+OK\r\n${capa.map((c) => `${c}\r\n`).join('')}.\r\n` : '-ERR unknown command\r\n');
        case 'USER':
          return session.write(args[0] === user ? '+OK\r\n' : '-ERR no such user\r\n');
        case 'PASS':
          loggedIn = args.join(' ') === pass;
          return session.write(loggedIn ? '+OK logged in\r\n' : '-ERR [AUTH] Authentication failed.\r\n');
        case 'QUIT':
          for (const d of pendingDeletes) {
            const gone = messages[d - 1];
            state.deleted.push(gone);
            state.mailbox.splice(state.mailbox.indexOf(gone), 1);
          }
          session.write('+OK bye\r\n');
          void writeChain.then(() => session.socket.end());
          return;
        case 'STLS': {
          if (tlsOptions?.mode !== 'stls' || session.socket instanceof tls.TLSSocket) return session.write('-ERR not now\r\n');
          session.write('+OK begin TLS\r\n');
          socket.off('data', onData);
          const secure = new tls.TLSSocket(socket, { isServer: true, key: tlsOptions.key, cert: tlsOptions.cert });
          secure.on('error', () => {});
          secure.once('secure', () => (session.servername = serverName(secure)));
          secure.on('data', onData);
          session.socket = secure;
          return;
        }
        case 'NOOP':
        case 'RSET':
          if (cmd === 'RSET') pendingDeletes.clear();
          return session.write('+OK\r\n');
      }
      if (!loggedIn) return session.write('-ERR not logged in\r\n');
      switch (cmd) {
        case 'STAT':
          return session.write(`+OK ${live.length} ${live.reduce((a, { m }) => a + m.length, 0)}\r\n`);
        case 'LIST':
          if (args.length) return session.write(msg ? `+OK ${n} ${msg.length}\r\n` : '-ERR no such message\r\n');
          return session.write(`+OK\r\n${live.map(({ m, i }) => `${i} ${m.length}\r\n`).join('')}.\r\n`);
        case 'UIDL':
          if (options.uidl === false) return session.write('-ERR unknown command\r\n');
          if (args.length) return session.write(entry ? `+OK ${n} ${entry.uid}\r\n` : '-ERR no such message\r\n');
          return session.write(`+OK\r\n${live.map(({ i, uid }) => `${i} ${uid}\r\n`).join('')}.\r\n`);
        case 'TOP': {
          if (options.top === false) return session.write('-ERR unknown command\r\n');
          if (!msg) return session.write('-ERR no such message\r\n');
          const text = msg.toString('latin1');
          const split = text.indexOf('\r\n\r\n');
          const head = split === -1 ? text : text.slice(0, split + 4);
          return session.write(Buffer.concat([Buffer.from('+OK\r\n'), dotStuff(Buffer.from(head, 'latin1'))]));
        }
        case 'RETR':
          if (!msg) return session.write('-ERR no such message\r\n');
          return session.write(Buffer.concat([Buffer.from(`+OK ${msg.length} octets\r\n`), dotStuff(msg)]));
        case 'DELE':
          if (!msg) return session.write('-ERR no such message\r\n');
          pendingDeletes.add(n);
          return session.write('+OK deleted\r\n');
        default:
          return session.write('-ERR unknown command\r\n');
      }
    };

    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      const lines = buffered.split('\r\n');
      buffered = lines.pop() ?? '';
      outstanding = lines.length;
      state.maxOutstanding = Math.max(state.maxOutstanding, outstanding);
      for (const line of lines) answer(line);
    };
    socket.on('data', onData);
    if (socket instanceof tls.TLSSocket) session.servername = serverName(socket);
    if (options.greeting !== null) session.write(`${options.greeting ?? '+OK fake POP3 ready <1896.697170952@fake.example>'}\r\n`);
  };
  const server = tlsOptions?.mode === 'implicit' ? tls.createServer({ key: tlsOptions.key, cert: tlsOptions.cert }, onConnection) : net.createServer(onConnection);
  server.on('tlsClientError', () => {}); // a client that refuses our certificate hangs up mid-handshake

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as net.AddressInfo).port;
  return state;
}

const serverName = (socket: tls.TLSSocket) => (socket as tls.TLSSocket & { servername?: string | false }).servername || undefined;
