-- Every record version is bound to the audit entry that wrote it: the entry keeps each record's
-- kind, id, version and SHA-256 digest (one line per record, see `records::encode_written`),
-- covered by the entry's hash. Empty for entries that write no record and for those written
-- before this migration, whose hashes so stay as they were.
ALTER TABLE audit ADD COLUMN records TEXT NOT NULL DEFAULT '';
