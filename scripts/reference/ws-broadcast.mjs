// Benchmark reference, not part of liveblog: the WebSocket broadcast server
// many teams write themselves with Node's `ws`. Readers connect to /ws; every
// text frame a client sends to /pub is broadcast to every reader as is.
// Usage: node scripts/reference/ws-broadcast.mjs PORT   (prints its URL when ready)
import { WebSocketServer } from "ws";
import http from "node:http";

const port = Number(process.argv[2] ?? 0);
const server = http.createServer((req, res) => {
  if (req.method === "POST" && req.url === "/pub") {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      for (const client of readers.clients) if (client.readyState === 1) client.send(body, { binary: false });
      res.writeHead(200).end("ok");
    });
    return;
  }
  res.writeHead(404).end();
});
const readers = new WebSocketServer({ server, path: "/ws", perMessageDeflate: false });
readers.on("connection", (ws) => ws.on("error", () => {}));
server.listen(port, "127.0.0.1", () => {
  console.log(`ws-broadcast listening on http://127.0.0.1:${server.address().port}`);
});
