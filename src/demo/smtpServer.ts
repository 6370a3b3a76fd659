/**
 * The demo's outgoing server: SMTP on 127.0.0.1 (nodemailer's smtp-server) that takes the demo
 * login and delivers what is sent to the demo address back into the demo POP3 mailbox, so writing,
 * sending and fetching the reply can all be tried with no mail account. Mail to anyone else is
 * refused, as relaying is by a real server.
 */
import { SMTPServer } from 'smtp-server';

export interface DemoSmtp {
  port: number;
  close(): Promise<void>;
}

export async function startDemoSmtp(login: { user: string; pass: string }, localAddress: string, deliver: (message: Buffer) => void): Promise<DemoSmtp> {
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    size: 25 * 1024 * 1024,
    banner: 'Mail Panel demo outgoing server',
    logger: false,
    onAuth: (auth, _session, done) => (auth.username === login.user && auth.password === login.pass ? done(null, { user: auth.username }) : done(new Error('Wrong user name or password'))),
    onRcptTo: (address, _session, done) =>
      address.address.toLowerCase() === localAddress.toLowerCase() ? done() : done(Object.assign(new Error(`Relay access denied: the demo delivers only to ${localAddress}`), { responseCode: 554 })),
    onData: (stream, _session, done) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        deliver(Buffer.concat(chunks));
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
