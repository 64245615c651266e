-- Customer accounts shared by every till of the company (protocol v4, customers stream).
-- A customer's balance at this till is the server's balance (built from every till's
-- facts) plus this till's own account entries the server has not built into it yet,
-- exactly as stock is: entries carry the journal record they belong to, and are counted
-- as included once a customers page whose `included_through` covers that record has
-- brought the server balances to the head.
ALTER TABLE customers ADD COLUMN server_balance_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE debt_entries ADD COLUMN journal_seq INTEGER;
-- set once the server's balance includes this entry
ALTER TABLE debt_entries ADD COLUMN in_server INTEGER NOT NULL DEFAULT 0;

UPDATE debt_entries SET journal_seq = (SELECT s.journal_seq FROM sales s WHERE s.id = ref_id)
    WHERE kind IN ('on_account', 'store_credit') AND journal_seq IS NULL;
UPDATE debt_entries SET journal_seq = (SELECT r.journal_seq FROM refunds r WHERE r.id = ref_id)
    WHERE kind = 'refund' AND journal_seq IS NULL;
-- One pass over the journal's payments, not one scan of the journal per payment.
UPDATE debt_entries SET journal_seq = j.seq
    FROM (SELECT seq, payload ->> '$.payment_id' AS payment_id FROM journal
          WHERE kind = 'debt_payment') AS j
    WHERE debt_entries.kind = 'payment' AND debt_entries.journal_seq IS NULL
      AND j.payment_id = debt_entries.ref_id;

CREATE INDEX debt_entries_pending ON debt_entries(in_server, journal_seq);
