-- The clearing house: versioned records (participants, claims, alerts, cases, cycles,
-- idempotency keys), each a JSON document with the columns it is looked up by, and the
-- hash-chained audit journal of every decision.
CREATE TABLE records (
    kind         TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    party        TEXT    NOT NULL,
    counterparty TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    body         TEXT    NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX records_by_status ON records (kind, status, at, id);
CREATE INDEX records_by_party ON records (kind, party, at, id);
CREATE INDEX records_by_counterparty ON records (kind, counterparty, at, id);
CREATE INDEX records_by_time ON records (kind, at, id);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    body      TEXT    NOT NULL,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL
);
CREATE INDEX audit_by_subject ON audit (subject, seq);
