/**
 * POP3 authentication: SASL (RFC 5034) PLAIN, LOGIN, CRAM-MD5, XOAUTH2; APOP (RFC 1939 7);
 * USER/PASS. Picks the strongest mechanism the server offers that the connection allows:
 * a password is never sent over an unencrypted link unless the account explicitly allows it.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Pop3Connection } from './connection';
import { Pop3Error } from './errors';

export type AuthMechanism = 'XOAUTH2' | 'CRAM-MD5' | 'APOP' | 'PLAIN' | 'LOGIN' | 'USER';

export interface Credentials {
  user: string;
  password?: string;
  /** OAuth2 access token (XOAUTH2); obtaining it is the caller's business. */
  accessToken?: string;
  /** A fixed mechanism, or 'auto' (default) for the strongest offered. */
  mechanism?: AuthMechanism | 'auto';
}

/** Strongest first. CRAM-MD5 and APOP never put the password on the wire. */
const PREFERENCE: AuthMechanism[] = ['XOAUTH2', 'CRAM-MD5', 'APOP', 'PLAIN', 'LOGIN', 'USER'];
/** Mechanisms that reveal the password (or token) to anyone who can read the connection. */
const REVEALING = new Set<AuthMechanism>(['XOAUTH2', 'PLAIN', 'LOGIN', 'USER']);

export interface AuthContext {
  /** What the server offers: SASL mechanisms from CAPA, USER, APOP (greeting timestamp). */
  offered: Set<AuthMechanism>;
  /** The APOP timestamp from the greeting, if any. */
  apopTimestamp?: string;
  encrypted: boolean;
  allowInsecureAuth: boolean;
}

/**
 * The mechanisms to try, in order: the one named by the account, or (automatic) every offered
 * mechanism the connection allows, strongest first. A login refused by one moves on to the next
 * (a server may announce APOP and be unable to check it for this user): a password is still never
 * sent in clear unless the account allows it.
 */
export function mechanismsToTry(credentials: Credentials, ctx: AuthContext): AuthMechanism[] {
  const allowed = (m: AuthMechanism) => ctx.encrypted || ctx.allowInsecureAuth || !REVEALING.has(m);
  const usable = (m: AuthMechanism) => (m === 'XOAUTH2' ? !!credentials.accessToken : !!credentials.password);
  const wanted = credentials.mechanism && credentials.mechanism !== 'auto' ? credentials.mechanism : undefined;
  if (wanted) {
    if (!ctx.offered.has(wanted)) throw new Pop3Error('unsupported', `The server does not offer ${wanted} login.`);
    if (!usable(wanted)) throw new Pop3Error('auth', `${wanted} login needs ${wanted === 'XOAUTH2' ? 'an access token' : 'a password'}.`);
    if (!allowed(wanted)) throw insecure(wanted);
    return [wanted];
  }
  const candidates = PREFERENCE.filter((m) => ctx.offered.has(m) && usable(m));
  const chosen = candidates.filter(allowed);
  if (chosen.length > 0) return chosen;
  if (candidates.length > 0) throw insecure(candidates[0]);
  throw new Pop3Error('unsupported', 'The server offers no login method that Mail Panel supports.');
}

function insecure(m: AuthMechanism): Pop3Error {
  return new Pop3Error(
    'insecure',
    `The server would receive your password unencrypted (${m}). Use TLS or STARTTLS, or explicitly allow unencrypted login for this account.`,
  );
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** RFC 5034: an initial response makes the AUTH line; longer than 255 octets it waits for "+". */
function saslStart(conn: Pop3Connection, mech: string, initial: string | undefined, answers: (challenge: string) => string): Promise<string> {
  const line = initial !== undefined && `AUTH ${mech} ${initial}`.length <= 255 ? `AUTH ${mech} ${initial || '='}` : `AUTH ${mech}`;
  let sentInitial = line !== `AUTH ${mech}`;
  return conn.send({
    line,
    traced: `AUTH ${mech}${sentInitial ? ' [initial response]' : ''}`,
    errorKind: 'auth',
    onContinue: (challenge) => {
      if (!sentInitial && initial !== undefined) {
        sentInitial = true;
        return initial;
      }
      return answers(challenge);
    },
  });
}

/**
 * Logs in with the first of `mechanisms` the server accepts. A refusal ('auth')
 * moves on to the next while the connection stays open; the last refusal is what the caller sees.
 * Returns the mechanism that worked, or throws with `remaining` set to those not yet tried.
 */
export async function authenticate(
  conn: Pop3Connection,
  credentials: Credentials,
  ctx: AuthContext,
  mechanisms = mechanismsToTry(credentials, ctx),
): Promise<AuthMechanism> {
  const { user } = credentials;
  // A CR or LF would end the command early and let the rest run as a command of its own.
  if (/[\r\n\0]/.test(user) || /[\r\n]/.test(credentials.password ?? '') || /[\r\n]/.test(credentials.accessToken ?? '')) {
    throw new Pop3Error('auth', 'The user name or password contains a line break, which POP3 cannot carry.');
  }
  if (mechanisms.length === 0) throw new Pop3Error('unsupported', 'The server no longer offers the login methods left to try.');
  let refusal: unknown;
  for (const [i, mech] of mechanisms.entries()) {
    try {
      await runMechanism(conn, mech, credentials, ctx);
      return mech;
    } catch (err) {
      // Every step of a mechanism is sent as a login step: a plain -ERR is a refusal ('auth'); a
      // response code ([SYS/TEMP], [IN-USE]) says the login cannot succeed now, whatever the method.
      if (err instanceof Pop3Error && err.kind === 'auth') {
        refusal = err;
        if (conn.isOpen) continue;
        const left = mechanisms.slice(i + 1);
        throw left.length > 0 ? new LoginRefused(err, left) : err;
      }
      // Closed right after refusing the previous mechanism: this one was never really tried.
      if (refusal && err instanceof Pop3Error && err.kind === 'connection') throw new LoginRefused(refusal as Pop3Error, mechanisms.slice(i));
      throw err;
    }
  }
  throw refusal;
}

/** A refused login after which the server closed the connection: the caller may reconnect and try `remaining` (never empty). */
export class LoginRefused extends Error {
  constructor(
    readonly refusal: Pop3Error,
    readonly remaining: AuthMechanism[],
  ) {
    super(refusal.message);
  }
}

async function runMechanism(conn: Pop3Connection, mech: AuthMechanism, credentials: Credentials, ctx: AuthContext): Promise<void> {
  const { user } = credentials;
  const password = credentials.password ?? '';
  switch (mech) {
    case 'USER':
      await conn.send({ line: `USER ${user}`, errorKind: 'auth' });
      await conn.send({ line: `PASS ${password}`, traced: 'PASS ********', errorKind: 'auth' });
      break;
    case 'APOP': {
      const digest = createHash('md5').update(`${ctx.apopTimestamp}${password}`, 'utf8').digest('hex');
      await conn.send({ line: `APOP ${user} ${digest}`, traced: `APOP ${user} ********`, errorKind: 'auth' });
      break;
    }
    case 'PLAIN':
      await saslStart(conn, 'PLAIN', b64(`\0${user}\0${password}`), () => '*');
      break;
    case 'LOGIN': {
      let step = 0;
      // Servers prompt "Username:" then "Password:"; answer by order, as every client does.
      await saslStart(conn, 'LOGIN', undefined, () => (step++ === 0 ? b64(user) : step === 2 ? b64(password) : '*'));
      break;
    }
    case 'CRAM-MD5':
      await saslStart(conn, 'CRAM-MD5', undefined, (challenge) => {
        const nonce = Buffer.from(challenge, 'base64');
        return b64(`${user} ${createHmac('md5', password).update(nonce).digest('hex')}`);
      });
      break;
    case 'XOAUTH2':
      // On failure the server sends a JSON error as a challenge; an empty line ends the exchange.
      await saslStart(conn, 'XOAUTH2', b64(`user=${user}\x01auth=Bearer ${credentials.accessToken}\x01\x01`), () => '');
      break;
  }
}
