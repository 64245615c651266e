// Backlog push, PouchDB side: N clients each hold their terminal's sales (one document per
// sale, written locally while "offline"), then all replicate to the server at once with
// PouchDB's default batch settings. Setup and the check afterwards talk to the server
// directly; only the replication goes through the counting proxy (--proxy).
'use strict';

const fs = require('fs');
const path = require('path');
const { PouchDB, args, asDoc, load, main } = require('./common');

const DESIGN = {
  _id: '_design/stock',
  views: {
    // Stock as a ledger: every sold line is a negative movement, summed per product.
    by_product: {
      map: `function (doc) {
        if (doc.type === 'sale') {
          doc.lines.forEach(function (l) { emit(l.product_id, -l.qty_milli); });
        }
      }`,
      reduce: '_sum',
    },
  },
};

main(async () => {
  const a = args(['server', 'proxy', 'data', 'workdir']);
  const data = JSON.parse(fs.readFileSync(a.data, 'utf8'));
  const direct = new PouchDB(`${a.server}/sales`);
  await direct.put(DESIGN);
  const clients = [];
  for (const [i, sales] of data.terminals.entries()) {
    const local = new PouchDB(path.join(a.workdir, `client-${i}`));
    await load(local, sales.map((s) => asDoc(s, 'sale')));
    clients.push(local);
  }
  const started = process.hrtime.bigint();
  await Promise.all(clients.map((c) => PouchDB.replicate(c, `${a.proxy}/sales`)));
  const pushMs = Number(process.hrtime.bigint() - started) / 1e6;

  const total = data.terminals.reduce((n, t) => n + t.length, 0);
  const info = await direct.info();
  if (info.doc_count !== total + 1) {
    throw new Error(`server holds ${info.doc_count} docs, expected ${total} sales + 1 design doc`);
  }
  // The server builds the view on first query: timed apart, it is not part of the push.
  const viewStarted = process.hrtime.bigint();
  const view = await direct.query('stock/by_product', { group: true });
  const viewMs = Number(process.hrtime.bigint() - viewStarted) / 1e6;
  const wrong = view.rows.filter((r) => -r.value !== data.sold_milli[r.key]);
  if (wrong.length || view.rows.length !== Object.keys(data.sold_milli).length) {
    throw new Error(`stock view disagrees on ${wrong.length} of ${view.rows.length} products`);
  }
  return { push_ms: pushMs, view_ms: viewMs, sales: total, products_checked: view.rows.length };
});
