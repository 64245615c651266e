// Fan-out, PouchDB side: as many clients as Kassa has tills each follow the server's
// `fanout` database with live replication through the counting proxy (--proxy), the way
// a PouchDB till would stay current. A manager's edit is one document update written to
// the server directly (--server); each change is timed from just before that write to
// the moment each client's local database reports it (its `changes` feed fires after
// the local write is committed). An unmeasured first change proves every feed is live.
'use strict';

const path = require('path');
const { PouchDB, args, main } = require('./common');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `db` holds the product at `price`: its changes feed from `since` (read
 * before the write, so an early arrival is not missed), or fails after `ms`. */
function priceReached(db, since, price, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      feed.cancel();
      reject(new Error(`price ${price} did not arrive within ${ms} ms`));
    }, ms);
    const feed = db
      .changes({ live: true, since, include_docs: true, doc_ids: ['product'] })
      .on('change', (c) => {
        if (c.doc && c.doc.price_minor === price) {
          clearTimeout(timer);
          feed.cancel();
          resolve(process.hrtime.bigint());
        }
      })
      .on('error', reject);
  });
}

main(async () => {
  const a = args(['server', 'proxy', 'terminals', 'changes', 'workdir']);
  const n = Number(a.terminals);
  const changes = Number(a.changes);
  const direct = new PouchDB(`${a.server}/fanout`);
  let doc = { _id: 'product', sku: 'FAN-1', price_minor: 1000 };
  doc._rev = (await direct.put(doc)).rev;

  const clients = [];
  for (let i = 0; i < n; i += 1) {
    const local = new PouchDB(path.join(a.workdir, `client-${i}`));
    await PouchDB.replicate(`${a.proxy}/fanout`, local);
    const live = PouchDB.replicate(`${a.proxy}/fanout`, local, { live: true, retry: true });
    clients.push({ local, live });
  }
  // The same settling time as Kassa's tills get after they are all online.
  await sleep(3000);

  const latencies = [];
  for (let k = 0; k <= changes; k += 1) {
    const price = 1001 + k;
    const seqs = await Promise.all(clients.map((c) => c.local.info().then((i) => i.update_seq)));
    const arrivals = clients.map((c, i) => priceReached(c.local, seqs[i], price, 60000));
    const started = process.hrtime.bigint();
    doc = { ...doc, price_minor: price };
    doc._rev = (await direct.put(doc)).rev;
    const at = await Promise.all(arrivals);
    if (k > 0) {
      for (const t of at) {
        latencies.push(Number(t - started) / 1e6);
      }
    }
    await sleep(150);
  }
  for (const c of clients) {
    c.live.cancel();
  }
  return { latencies_ms: latencies, terminals: n, changes };
});
