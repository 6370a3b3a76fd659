/** Scratch stores and scripted POP3 servers for one test file, cleaned up after it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { Pop3Options } from '../../src/pop3';
import { startPop3Server, type Pop3Server, type Pop3ServerOptions } from '../../src/demo/pop3Server';

export function scriptedFixture(prefix: string): { freshRoot: () => string; serve: (options: Pop3ServerOptions) => Promise<Pop3Server> } {
  const scratch = mkdtempSync(join(tmpdir(), `mailpanel-${prefix}-`));
  const servers: Pop3Server[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(scratch, { recursive: true, force: true });
  });
  let n = 0;
  return {
    freshRoot: () => join(scratch, `s${++n}`),
    serve: async (options) => {
      const server = await startPop3Server(options);
      servers.push(server);
      return server;
    },
  };
}

/** A small message with a subject of its own. */
export const mail = (subject: string, body = 'hello') => Buffer.from(`From: a@example.org\r\nSubject: ${subject}\r\n\r\n${body}\r\n`);

/** How the tests log in to a scripted server: alice / secret, USER over plain TCP, short timeouts. */
export function scriptedLogin(server: Pop3Server, extra: Partial<Pop3Options> = {}): Pop3Options {
  return {
    host: '127.0.0.1',
    port: server.port,
    security: 'none',
    allowInsecureAuth: true,
    credentials: { user: 'alice', password: 'secret', mechanism: 'USER' },
    timeouts: { connectMs: 2000, greetingMs: 2000, responseMs: 2000 },
    ...extra,
  };
}
