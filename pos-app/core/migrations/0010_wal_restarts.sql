-- A one-row table the till writes right after a background checkpoint has copied the
-- whole WAL. That write is where SQLite starts the WAL over, and starting over costs an
-- extra fsync of the new WAL header; made here, in the pause after a sale, it is not
-- paid by the next sale. `at_ms` says when the WAL last started over.
CREATE TABLE wal_restarts (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    at_ms INTEGER NOT NULL
);
INSERT INTO wal_restarts (id, at_ms) VALUES (1, 0);
