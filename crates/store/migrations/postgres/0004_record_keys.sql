-- Records the house only looks up by key (idempotency keys, a party's activity counter, the
-- first claim of an invoice, …: `records::KEYED_KINDS`) move to a table with its primary key
-- only. In `records` each was also an entry in four indexes, moved on every update: about half
-- the pages a claim's submission wrote. Same columns, so a record's digest is unchanged.
CREATE TABLE record_keys (
    kind         TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    version      BIGINT  NOT NULL,
    status       TEXT    NOT NULL,
    party        TEXT    NOT NULL,
    counterparty TEXT    NOT NULL,
    at           BIGINT  NOT NULL,
    body         TEXT    NOT NULL,
    PRIMARY KEY (kind, id)
);
INSERT INTO record_keys (kind, id, version, status, party, counterparty, at, body)
    SELECT kind, id, version, status, party, counterparty, at, body FROM records
    WHERE kind IN ('activity', 'bank_file', 'config', 'cycle_claims', 'cycle_key', 'iban',
                   'idempotency', 'invoice', 'invoice_amount', 'liquidity', 'lists_in_force',
                   'registration');
DELETE FROM records
    WHERE kind IN ('activity', 'bank_file', 'config', 'cycle_claims', 'cycle_key', 'iban',
                   'idempotency', 'invoice', 'invoice_amount', 'liquidity', 'lists_in_force',
                   'registration');
