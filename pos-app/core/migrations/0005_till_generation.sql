-- What a sale reads before it writes (the open shift, the running promotions, the
-- terminal's identity and catalog cursor) changes rarely, so the till keeps it between
-- sales and commits a sale in one round trip. This counter is how the database tells it
-- whether that copy still holds: every change to those inputs bumps it, in the writer's
-- own transaction, whichever process writes. The journal head and the receipt number
-- need no counter: their primary key and unique index refuse a stale copy by themselves.
CREATE TABLE till_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO till_generation (id, n) VALUES (1, 0);

CREATE TRIGGER tillgen_promotions_i AFTER INSERT ON promotions BEGIN
    UPDATE till_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER tillgen_promotions_u AFTER UPDATE ON promotions BEGIN
    UPDATE till_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER tillgen_promotions_d AFTER DELETE ON promotions BEGIN
    UPDATE till_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER tillgen_shifts_i AFTER INSERT ON shifts BEGIN
    UPDATE till_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER tillgen_shifts_u AFTER UPDATE ON shifts BEGIN
    UPDATE till_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER tillgen_settings_i AFTER INSERT ON settings
    WHEN NEW.key IN ('terminal_id', 'epoch', 'catalog_cursor') BEGIN
    UPDATE till_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER tillgen_settings_u AFTER UPDATE ON settings
    WHEN NEW.key IN ('terminal_id', 'epoch', 'catalog_cursor') BEGIN
    UPDATE till_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER tillgen_settings_d AFTER DELETE ON settings
    WHEN OLD.key IN ('terminal_id', 'epoch', 'catalog_cursor') BEGIN
    UPDATE till_generation SET n = n + 1 WHERE id = 1; END;

-- A compare step for a statement batch: inserting the generation the till read passes
-- (the row is never stored) while it is current, and aborts the whole batch otherwise.
CREATE TABLE till_generation_check (n INTEGER NOT NULL);
CREATE TRIGGER till_generation_check_i BEFORE INSERT ON till_generation_check BEGIN
    SELECT RAISE(ABORT, 'the till''s sale context changed')
        WHERE NEW.n IS NOT (SELECT n FROM till_generation WHERE id = 1);
    SELECT RAISE(IGNORE);
END;
