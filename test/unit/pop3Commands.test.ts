/** The POP3 client's single-message commands, argument checks and answers it must refuse (src/pop3/client.ts). */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Pop3Client, Pop3Error } from '../../src/pop3';
import { startPop3Server, type Pop3Server, type Pop3ServerOptions } from '../../src/demo/pop3Server';
import { scriptedLogin } from '../support/scripted';

const servers: Pop3Server[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
const MESSAGES = [Buffer.from('Subject: one\r\n\r\nHello\r\n'), Buffer.from('Subject: two\r\n\r\nA\r\nB\r\nC\r\n')];

async function session(options: Partial<Pop3ServerOptions> = {}): Promise<{ server: Pop3Server; client: Pop3Client }> {
  const server = await startPop3Server({ messages: MESSAGES, ...options });
  servers.push(server);
  const client = await Pop3Client.connect(scriptedLogin(server));
  return { server, client };
}

const commandsSent = (server: Pop3Server) => server.sessions.flatMap((s) => s.commands);

describe('POP3 commands', () => {
  test('LIST and UIDL of one message, and TOP with a line count', async () => {
    const { client } = await session();
    assert.deepEqual(await client.listOne(2), { msg: 2, size: MESSAGES[1].length });
    assert.deepEqual(await client.uidlOne(2), { msg: 2, uid: 'uid-2' });
    assert.equal((await client.top(2, 0)).toString(), 'Subject: two\r\n\r\n');
    await client.quit();
  });

  test('a message number or line count that is not a whole number in range is refused before anything is sent', async () => {
    const { server, client } = await session();
    const before = commandsSent(server).length;
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
      await assert.rejects(client.listOne(bad), RangeError, `LIST ${bad}`);
      await assert.rejects(client.retrieveBuffer(bad), RangeError, `RETR ${bad}`);
    }
    await assert.rejects(client.top(1, -1), RangeError);
    await assert.rejects(client.top(1, 0.5), RangeError);
    assert.equal(commandsSent(server).length, before, `sent: ${commandsSent(server).slice(before).join(', ')}`);
    assert.deepEqual(await client.listOne(1), { msg: 1, size: MESSAGES[0].length }, 'the session is still good');
    await client.quit();
  });

  test('capabilities are matched in any case; PIPELINING is read from them', async () => {
    const { client } = await session({ capa: ['USER', 'UIDL', 'TOP', 'PIPELINING'] });
    assert.equal(client.has('pipelining'), true);
    assert.equal(client.has('Top'), true);
    assert.equal(client.has('STLS'), false);
    assert.equal(client.pipelining, true);
    await client.quit();
    const plain = await session({ capa: ['USER', 'UIDL'] });
    assert.equal(plain.client.pipelining, false);
    await plain.client.quit();
    const old = await session({ capa: null }); // an RFC 1939-only server: no CAPA at all
    assert.equal(old.client.has('USER'), false);
    assert.equal(old.client.pipelining, false);
    assert.deepEqual(await old.client.stat(), { count: 2, size: MESSAGES[0].length + MESSAGES[1].length });
    await old.client.quit();
  });

  test('malformed STAT, LIST and UIDL answers are protocol errors that quote the server', async () => {
    const answers: Record<string, string> = { STAT: '+OK two messages\r\n', 'LIST 1': '+OK 1\r\n', 'UIDL 1': '+OK 1\r\n' };
    const { client } = await session({
      intercept: (command, s) => {
        const answer = answers[command];
        if (answer) s.write(answer);
        return answer !== undefined;
      },
    });
    for (const [call, quoted] of [
      [() => client.stat(), /malformed STAT answer: "two messages"/],
      [() => client.listOne(1), /malformed LIST answer: "1"/],
      [() => client.uidlOne(1), /malformed UIDL answer: "1"/],
    ] as const) {
      await assert.rejects(call(), (e: unknown) => e instanceof Pop3Error && e.kind === 'protocol' && quoted.test(e.message));
    }
  });
});
