// Initial sync, PouchDB side: the server's `products` database is loaded directly (setup),
// then a fresh client replicates all of it through the counting proxy (--proxy) with
// PouchDB's default batch settings, timed until every document is in its local database.
'use strict';

const fs = require('fs');
const path = require('path');
const { PouchDB, args, asDoc, load, main } = require('./common');

main(async () => {
  const a = args(['server', 'proxy', 'data', 'workdir']);
  const products = JSON.parse(fs.readFileSync(a.data, 'utf8'));
  const direct = new PouchDB(`${a.server}/products`);
  const loadStarted = process.hrtime.bigint();
  await load(direct, products.map((p) => asDoc(p, 'product')));
  const loadMs = Number(process.hrtime.bigint() - loadStarted) / 1e6;

  const local = new PouchDB(path.join(a.workdir, 'fresh-client'));
  const started = process.hrtime.bigint();
  await PouchDB.replicate(`${a.proxy}/products`, local);
  const pullMs = Number(process.hrtime.bigint() - started) / 1e6;
  const info = await local.info();
  if (info.doc_count !== products.length) {
    throw new Error(`the client holds ${info.doc_count} of ${products.length} products`);
  }
  return { pull_ms: pullMs, server_load_ms: loadMs, products: info.doc_count };
});
