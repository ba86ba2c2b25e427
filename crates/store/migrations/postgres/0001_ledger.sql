-- The ledger: accounts, transfers, the hash-chained journal and its head.
-- Every integer is a signed 64-bit value; ids, amounts and balances are at most i64::MAX by the
-- ledger's rules, user_data_64 is stored as the two's complement of the unsigned value.
CREATE TABLE head (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    seq            BIGINT NOT NULL,
    hash           BYTEA   NOT NULL,
    last_timestamp BIGINT NOT NULL
);
INSERT INTO head (id, seq, hash, last_timestamp) VALUES (1, 0, decode(repeat('00', 32), 'hex'), 0);

CREATE TABLE accounts (
    id              BIGINT PRIMARY KEY,
    ledger          BIGINT NOT NULL,
    code            BIGINT NOT NULL,
    flags           BIGINT NOT NULL,
    user_data_64    BIGINT NOT NULL,
    user_data_32    BIGINT NOT NULL,
    debits_pending  BIGINT NOT NULL,
    debits_posted   BIGINT NOT NULL,
    credits_pending BIGINT NOT NULL,
    credits_posted  BIGINT NOT NULL,
    timestamp       BIGINT NOT NULL
);

CREATE TABLE transfers (
    id                BIGINT PRIMARY KEY,
    debit_account_id  BIGINT NOT NULL,
    credit_account_id BIGINT NOT NULL,
    amount            BIGINT NOT NULL,
    pending_id        BIGINT NOT NULL,
    user_data_64      BIGINT NOT NULL,
    user_data_32      BIGINT NOT NULL,
    timeout           BIGINT NOT NULL,
    ledger            BIGINT NOT NULL,
    code              BIGINT NOT NULL,
    flags             BIGINT NOT NULL,
    timestamp         BIGINT NOT NULL,
    -- Only for pending transfers: 1 pending, 2 posted, 3 voided, 4 expired; and the expiry.
    pending_status    BIGINT,
    expires_at        BIGINT
);
-- Time order, for an account's history over a window (statements per cycle). Timestamps only
-- grow, so this index is appended to; per-account indexes would be written at random places and
-- cost most of the write throughput (measured: about 7 times fewer transfers per second).
CREATE INDEX transfers_by_timestamp ON transfers (timestamp);
CREATE INDEX transfers_due ON transfers (expires_at, id) WHERE pending_status = 1 AND expires_at IS NOT NULL;

CREATE TABLE journal (
    seq       BIGINT PRIMARY KEY,
    timestamp BIGINT NOT NULL,
    prev_hash BYTEA   NOT NULL,
    hash      BYTEA   NOT NULL,
    body      BYTEA   NOT NULL
);
