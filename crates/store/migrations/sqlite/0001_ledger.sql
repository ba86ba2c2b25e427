-- The ledger: accounts, transfers, the hash-chained journal and its head.
-- Every integer is a signed 64-bit value; ids, amounts and balances are at most i64::MAX by the
-- ledger's rules, user_data_64 is stored as the two's complement of the unsigned value.
CREATE TABLE head (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    seq            INTEGER NOT NULL,
    hash           BLOB    NOT NULL,
    last_timestamp INTEGER NOT NULL
);
INSERT INTO head (id, seq, hash, last_timestamp) VALUES (1, 0, zeroblob(32), 0);

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    ledger          INTEGER NOT NULL,
    code            INTEGER NOT NULL,
    flags           INTEGER NOT NULL,
    user_data_64    INTEGER NOT NULL,
    user_data_32    INTEGER NOT NULL,
    debits_pending  INTEGER NOT NULL,
    debits_posted   INTEGER NOT NULL,
    credits_pending INTEGER NOT NULL,
    credits_posted  INTEGER NOT NULL,
    timestamp       INTEGER NOT NULL
);

CREATE TABLE transfers (
    id                INTEGER PRIMARY KEY,
    debit_account_id  INTEGER NOT NULL,
    credit_account_id INTEGER NOT NULL,
    amount            INTEGER NOT NULL,
    pending_id        INTEGER NOT NULL,
    user_data_64      INTEGER NOT NULL,
    user_data_32      INTEGER NOT NULL,
    timeout           INTEGER NOT NULL,
    ledger            INTEGER NOT NULL,
    code              INTEGER NOT NULL,
    flags             INTEGER NOT NULL,
    timestamp         INTEGER NOT NULL,
    -- Only for pending transfers: 1 pending, 2 posted, 3 voided, 4 expired; and the expiry.
    pending_status    INTEGER,
    expires_at        INTEGER
);
-- Time order, for an account's history over a window (statements per cycle). Timestamps only
-- grow, so this index is appended to; per-account indexes would be written at random places and
-- cost most of the write throughput (measured: about 7 times fewer transfers per second).
CREATE INDEX transfers_by_timestamp ON transfers (timestamp);
CREATE INDEX transfers_due ON transfers (expires_at, id) WHERE pending_status = 1 AND expires_at IS NOT NULL;

CREATE TABLE journal (
    seq       INTEGER PRIMARY KEY,
    timestamp INTEGER NOT NULL,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL,
    body      BLOB    NOT NULL
);
