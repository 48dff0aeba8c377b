// The offline-first peer people would pick instead of Xinbao's sync endpoint: a PouchDB server
// (express-pouchdb over LevelDB, from npm), for `cargo xtask bench sync` to send the same
// 1,000 Chinese items in batches of 200 over loopback. Started with a data directory; prints
// "listening on http://127.0.0.1:PORT" once it accepts connections.
const express = require("express");
const PouchDB = require("pouchdb-node");
const path = require("path");
const fs = require("fs");

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node server.js DATA_DIR");
  process.exit(2);
}
fs.mkdirSync(dir, { recursive: true });
const DB = PouchDB.defaults({ prefix: dir + path.sep });
const app = express();
app.use("/", require("express-pouchdb")(DB, { mode: "minimumForPouchDB", logPath: path.join(dir, "log.txt") }));
const server = app.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
