import uWS from 'uWebSockets.js';

/**
 * A throwaway uWS server for the bench's own tests: the hello-world route,
 * a POST route that remembers every Idempotency-Key it saw, and their count.
 * It announces itself the way a Tickr node does.
 */

const port = Number(process.env.PORT ?? 0);
const keys = new Set<string>();
let posts = 0;

uWS
  .App()
  .get('/bench/hello', (res) => {
    res.cork(() => res.writeHeader('content-type', 'text/plain').end('hello'));
  })
  .post('/echo', (res, req) => {
    const key = req.getHeader('idempotency-key');
    let aborted = false;
    res.onAborted(() => (aborted = true));
    res.onData((_chunk, last) => {
      if (!last || aborted) return;
      posts++;
      keys.add(key);
      res.cork(() => res.writeStatus('201 Created').end('{}'));
    });
  })
  .get('/stats', (res) => {
    res.cork(() => res.writeHeader('content-type', 'application/json').end(JSON.stringify({ posts, keys: keys.size })));
  })
  .listen('127.0.0.1', port, (socket) => {
    if (!socket) {
      console.error(`could not listen on ${port}`);
      process.exit(1);
    }
    console.log(`listening on http://127.0.0.1:${uWS.us_socket_local_port(socket)}`);
  });
