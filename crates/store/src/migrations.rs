//! Schema migrations, embedded in the binary; applied in order on open, each once.

use crate::StoreError;

/// One migration, in the dialect of each engine.
#[derive(Debug)]
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// The migration from which each change's audit entry binds the record versions it wrote;
/// applying it to a database with records binds those found (see `records::binding_rows`).
pub(crate) const RECORDS_BOUND_VERSION: i64 = 3;

/// Every migration, oldest first.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "ledger",
        sqlite: include_str!("../migrations/sqlite/0001_ledger.sql"),
        postgres: include_str!("../migrations/postgres/0001_ledger.sql"),
    },
    Migration {
        version: 2,
        name: "house",
        sqlite: include_str!("../migrations/sqlite/0002_house.sql"),
        postgres: include_str!("../migrations/postgres/0002_house.sql"),
    },
    Migration {
        version: 3,
        name: "records_bound",
        sqlite: include_str!("../migrations/sqlite/0003_records_bound.sql"),
        postgres: include_str!("../migrations/postgres/0003_records_bound.sql"),
    },
    Migration {
        version: 4,
        name: "record_keys",
        sqlite: include_str!("../migrations/sqlite/0004_record_keys.sql"),
        postgres: include_str!("../migrations/postgres/0004_record_keys.sql"),
    },
];

/// Refuses a database written by a newer build.
pub(crate) fn check_known(current: i64) -> Result<(), StoreError> {
    let latest = MIGRATIONS.last().map_or(0, |m| m.version);
    if current > latest {
        return Err(StoreError::Config(format!(
            "the database has schema version {current}, newer than this build's {latest}: upgrade clearhouse"
        )));
    }
    Ok(())
}

/// Refuses, for a store opened only to read, a database not at this build's schema: `what`
/// names it.
pub(crate) fn check_current(current: i64, what: &str) -> Result<(), StoreError> {
    check_known(current)?;
    let latest = MIGRATIONS.last().map_or(0, |m| m.version);
    if current < latest {
        return Err(StoreError::OlderSchema(format!(
            "{what} has schema version {current}, older than this build's {latest}: \
             a command that writes to it upgrades it"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;
    use crate::records::KEYED_KINDS;

    /// The kinds the `record_keys` migration moves, as written in its SQL (each `IN (…)` list).
    fn moved(sql: &str) -> Vec<Vec<String>> {
        sql.split("IN (")
            .skip(1)
            .map(|rest| {
                let list = &rest[..rest.find(')').expect("a closed list")];
                list.split(',')
                    .map(|k| k.trim().trim_matches('\'').to_owned())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_record_keys_migration_moves_exactly_the_keyed_kinds() {
        let m = MIGRATIONS.iter().find(|m| m.name == "record_keys").unwrap();
        for sql in [m.sqlite, m.postgres] {
            let lists = moved(sql);
            assert_eq!(lists.len(), 2, "one list to copy, one to delete");
            for list in lists {
                assert_eq!(list, KEYED_KINDS, "{sql}");
            }
        }
    }
}
