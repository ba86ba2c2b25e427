-- The clearing house: versioned records (participants, claims, alerts, cases, cycles,
-- idempotency keys), each a JSON document with the columns it is looked up by, and the
-- hash-chained audit journal of every decision.
CREATE TABLE records (
    kind         TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    version      BIGINT NOT NULL,
    status       TEXT    NOT NULL,
    party        TEXT    NOT NULL,
    counterparty TEXT    NOT NULL,
    at           BIGINT NOT NULL,
    body         TEXT    NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX records_by_status ON records (kind, status, at, id);
CREATE INDEX records_by_party ON records (kind, party, at, id);
CREATE INDEX records_by_counterparty ON records (kind, counterparty, at, id);
CREATE INDEX records_by_time ON records (kind, at, id);

CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash BYTEA    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

CREATE TABLE audit (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    body      TEXT    NOT NULL,
    prev_hash BYTEA    NOT NULL,
    hash      BYTEA    NOT NULL
);
CREATE INDEX audit_by_subject ON audit (subject, seq);
