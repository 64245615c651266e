// Shared helpers of the PouchDB scripts `kassa-bench sync` runs: argument parsing, the
// PouchDB constructor (pouchdb-node: LevelDB on disk, as a Node client would use), and
// the one JSON line of results the Rust side reads.
'use strict';

const fs = require('fs');
const PouchDB = require('pouchdb-node');

/** `--name value` pairs into an object; every name listed in `required` must be there. */
function args(required) {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    out[argv[i].replace(/^--/, '')] = argv[i + 1];
  }
  for (const name of required) {
    if (out[name] === undefined) {
      throw new Error(`missing --${name}`);
    }
  }
  return out;
}

/** This process's peak resident set in bytes (VmHWM), like the Rust side reports. */
function peakRss() {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : null;
}

/** Kassa's `id` becomes PouchDB's `_id`; the rest of the object is the document. */
function asDoc(row, type) {
  const { id, ...rest } = row;
  return { _id: id, type, ...rest };
}

/** Writes docs in chunks (one request per chunk when `db` is remote). */
async function load(db, docs, chunk = 1000) {
  for (let i = 0; i < docs.length; i += chunk) {
    const res = await db.bulkDocs(docs.slice(i, i + chunk));
    const failed = res.filter((r) => r.error);
    if (failed.length) {
      throw new Error(`bulkDocs failed: ${JSON.stringify(failed[0])}`);
    }
  }
}

/** Prints the results line and exits; a failure exits non-zero with its message. */
function main(run) {
  run()
    .then((result) => {
      console.log(JSON.stringify({ ...result, client_hwm_bytes: peakRss() }));
      process.exit(0);
    })
    .catch((e) => {
      console.error(e && e.stack ? e.stack : String(e));
      process.exit(1);
    });
}

module.exports = { PouchDB, args, asDoc, load, main };
