/**
 * A TCP proxy on 127.0.0.1 that cuts the connection after a chosen number of bytes from the
 * server: faults at any point of a session, chosen at random by the caller.
 */
import * as net from 'node:net';

export interface CutProxy {
  port: number;
  /** Bytes forwarded from the server over all connections so far. */
  forwarded: number;
  close(): Promise<void>;
}

/** `cutAfter`: server bytes to forward in total before dropping both sides (Infinity = never). */
export async function startCutProxy(targetPort: number, cutAfter: number): Promise<CutProxy> {
  const sockets = new Set<net.Socket>();
  const proxy: CutProxy = {
    port: 0,
    forwarded: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(s);
      });
    }
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      const room = cutAfter - proxy.forwarded;
      if (room <= 0) return client.destroy();
      const piece = d.length > room ? d.subarray(0, room) : d;
      proxy.forwarded += piece.length;
      client.write(piece);
      if (piece.length < d.length || proxy.forwarded >= cutAfter) {
        client.end(() => client.destroy());
        upstream.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as net.AddressInfo).port;
  return proxy;
}
