// A tiny HTTP service for the container example: answers on $PORT, logs each request to
// stdout (multilog stamps and keeps it), and stops cleanly on SIGTERM.
const http = require('node:http');

const port = Number(process.env.PORT || 8080);
const server = http.createServer((req, res) => {
  console.log(`${req.method} ${req.url}`);
  res.end('hello from a supervised service\n');
});
server.listen(port, () => console.log(`listening on ${port}`));
process.on('SIGTERM', () => {
  console.log('SIGTERM: closing');
  server.close(() => process.exit(0));
});
