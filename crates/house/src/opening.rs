//! The composition root: a house opened from where its parts live (a database URL, the lists
//! directory, a reference-price file), the same way for the CLI and the server.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use store::{Clock, Location, Store, StoreError};

use crate::list_store::ListStore;
use crate::{House, HouseError, Lists};

/// Largest reference-price file, in bytes: room for the most observations the price history
/// keeps (`goods::OBSERVATIONS_MAX`, five million) at about a hundred bytes each.
pub const PRICES_FILE_BYTES_MAX: u64 = 512 * 1024 * 1024;

/// What an opened house will be asked to do, so that it loads no more than that needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Reads, `verify`, settlement files: no name is screened, the lists are not loaded.
    Read,
    /// Onboarding, rescreening: the lists in force are loaded.
    Screen,
    /// Claims too: the lists, and price bands learned from the reference prices and from
    /// what the house accepted before. A server opens for this.
    Submit,
}

/// Where a house's parts live.
#[derive(Debug, Clone)]
pub struct HouseSource {
    /// The database.
    pub location: Location,
    /// The versioned lists directory ([`ListStore`]); the bundled lists until it has a version.
    pub lists_dir: PathBuf,
    /// A reference-price CSV the price bands start from.
    pub prices: Option<PathBuf>,
}

impl HouseSource {
    /// The store, which must hold a Clearhouse database already: a mistyped path or URL is an
    /// error, never a new empty database. A database of an older schema is upgraded.
    pub fn open_store(&self, clock: Clock) -> Result<Store, HouseError> {
        match Store::open_existing(self.location.clone(), Arc::clone(&clock)) {
            Err(StoreError::OlderSchema(_)) => Ok(Store::open(self.location.clone(), clock)?),
            other => Ok(other?),
        }
    }

    /// The lists directory.
    pub fn list_store(&self) -> ListStore {
        ListStore::new(&self.lists_dir)
    }

    /// The lists in force (the version in the lists directory, else the bundled ones).
    pub fn lists(&self) -> Result<Lists, HouseError> {
        Ok(self.list_store().load()?.into_lists()?)
    }

    /// The goods checker: the bundled nomenclature and policy, and price bands from the
    /// reference prices when given.
    pub fn checker(&self) -> Result<Arc<goods::Checker>, HouseError> {
        let (nomenclature, policy) = bundled_goods()?;
        let bands = match &self.prices {
            Some(path) => {
                Some(reference_prices(path, &nomenclature)?.bands(policy.band_settings()))
            }
            None => None,
        };
        let checker = goods::Checker::new(nomenclature, policy, bands)
            .map_err(|e| HouseError::Clearing(e.to_string()))?;
        Ok(Arc::new(checker))
    }

    /// Opens the house set up in the database, loaded for `purpose`.
    pub fn open(&self, clock: Clock, purpose: Purpose) -> Result<House, HouseError> {
        let store = self.open_store(Arc::clone(&clock))?;
        let lists = match purpose {
            Purpose::Read => Lists::none(),
            Purpose::Screen | Purpose::Submit => self.lists()?,
        };
        let house =
            House::open(store, clock, lists, self.checker()?)?.with_list_store(self.list_store());
        if purpose == Purpose::Submit {
            let reference = match &self.prices {
                Some(path) => reference_prices(path, house.checker().nomenclature())?,
                None => goods::PriceHistory::new(),
            };
            house.learn_prices(reference)?;
        }
        Ok(house)
    }
}

/// The bundled nomenclature and export-control policy.
fn bundled_goods() -> Result<(goods::Nomenclature, goods::Policy), HouseError> {
    let damaged = |what: &str, e: &dyn std::fmt::Display| HouseError::Corrupt {
        kind: "bundled data".into(),
        id: what.into(),
        message: e.to_string(),
    };
    let nomenclature = goods::Nomenclature::bundled().map_err(|e| damaged("nomenclature", &e))?;
    let policy = goods::Policy::bundled(&nomenclature).map_err(|e| damaged("policy", &e))?;
    Ok((nomenclature, policy))
}

/// Reference prices read from a CSV file within [`PRICES_FILE_BYTES_MAX`]; errors name the
/// file (and the line, from the reader).
pub fn reference_prices(
    path: &Path,
    nomenclature: &goods::Nomenclature,
) -> Result<goods::PriceHistory, HouseError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| HouseError::File {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let too_large = file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() > PRICES_FILE_BYTES_MAX);
    if too_large {
        return Err(HouseError::invalid(
            "prices",
            format!("{shown}: larger than the limit of {PRICES_FILE_BYTES_MAX} bytes"),
        ));
    }
    let mut history = goods::PriceHistory::new();
    let limited = AtMost {
        inner: file.take(PRICES_FILE_BYTES_MAX + 1),
        read: 0,
    };
    history
        .read_csv(std::io::BufReader::new(limited), nomenclature)
        .map_err(|e| HouseError::invalid("prices", format!("{shown}: {e}")))?;
    Ok(history)
}

/// A reader that fails once more than [`PRICES_FILE_BYTES_MAX`] bytes came out (a pipe or a
/// device that never ends is refused, never read as a shorter file).
struct AtMost<R> {
    inner: std::io::Take<R>,
    read: u64,
}

impl<R: Read> Read for AtMost<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > PRICES_FILE_BYTES_MAX {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("larger than the limit of {PRICES_FILE_BYTES_MAX} bytes"),
            ));
        }
        Ok(n)
    }
}
