// Preloaded into y-webrtc's signaling server, which listens on every interface: the benchmarks use
// loopback only, so pin its listen() to 127.0.0.1 without touching the server's own code.
import http from 'node:http';

const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function listenOnLoopback(port, ...rest) {
  if (typeof port === 'number' || typeof port === 'string') return listen.call(this, Number(port), '127.0.0.1', ...rest);
  return listen.call(this, port, ...rest);
};
