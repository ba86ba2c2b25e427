//! What every request shares: the house, where its files go, the metrics, the rate limiter.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use house::{House, HouseError, HouseSource};

use crate::error::{ApiError, ApiResult};
use crate::idempotency::KeyLocks;
use crate::metrics::Metrics;
use crate::rate::RateLimiter;

/// Settings of one server.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the house's parts live (database, lists directory, reference prices).
    pub source: HouseSource,
    /// Where cycle and settlement files are written and served from.
    pub files_dir: PathBuf,
    /// Requests a token may make per second, sustained (`0`: no limit).
    pub rate_per_second: u32,
    /// Requests a token may make at once above the sustained rate.
    pub rate_burst: u32,
    /// Where `POST /api/v1/lists/update` fetches each list file from: the operator's
    /// configuration (`serve --list-source`, over the published addresses), never a request's.
    pub list_sources: Vec<house::list_store::Source>,
}

/// The shared state of a server.
#[derive(Debug)]
pub struct AppState {
    pub house: Arc<House>,
    pub settings: Settings,
    pub metrics: Metrics,
    pub rate: RateLimiter,
    pub keys: KeyLocks,
    pub started: Instant,
    /// Held while a new version of the lists is installed and the house rescreened against it,
    /// so that two uploads or updates at once put their versions in force one after the other
    /// (the house's lists and the store's version in force then agree).
    pub lists_installing: Mutex<()>,
    /// Whether short reads run on the worker thread that serves the request (the embedded
    /// SQLite database; see [`AppState::read_short`]).
    reads_inline: bool,
}

impl AppState {
    /// The server's state: `house` loads the versions of the lists other processes put in
    /// force from the server's lists directory (the one it installs versions in).
    pub fn new(house: House, settings: Settings) -> AppState {
        let reads_inline = house.store().location().engine() == "sqlite";
        AppState {
            house: Arc::new(house.with_list_store(settings.source.list_store())),
            rate: RateLimiter::new(settings.rate_per_second, settings.rate_burst),
            settings,
            metrics: Metrics::default(),
            keys: KeyLocks::default(),
            started: Instant::now(),
            lists_installing: Mutex::new(()),
            reads_inline,
        }
    }

    /// Runs a short read of the house (authenticating a token): on the worker thread serving
    /// the request when the database is the embedded SQLite and a reader is free, where such
    /// a read takes tens of microseconds and waits on no network (the blocking pool's
    /// hand-over and wake-up back cost more than the read: measured, about 10% of a claim's
    /// CPU); on the blocking pool for PostgreSQL, whose client must never be called from an
    /// async worker thread, and when long reads hold every reader.
    pub async fn read_short<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&House) -> Result<T, HouseError> + Send + 'static,
    {
        if self.reads_inline && self.house.store().reader_free() {
            f(&self.house).map_err(ApiError::from)
        } else {
            self.run(f).await
        }
    }

    /// Runs a house call on the blocking pool: the store's clients block (the PostgreSQL one
    /// runs its own runtime and must never be called from an async worker thread), and a long
    /// `verify` or cycle then holds one blocking thread, never the threads serving requests.
    pub async fn run<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&House) -> Result<T, HouseError> + Send + 'static,
    {
        let house = Arc::clone(&self.house);
        match tokio::task::spawn_blocking(move || f(&house)).await {
            Ok(result) => result.map_err(ApiError::from),
            Err(e) => Err(ApiError::internal(&e)),
        }
    }

    /// The lists in force for the house (a version another server put in force is loaded
    /// first, off the async threads): what every route that screens on request reads.
    pub async fn lists_in_force(&self) -> ApiResult<Arc<house::Lists>> {
        self.run(|h| h.lists_in_force()).await
    }

    /// As [`AppState::run`], for work whose errors are already answers.
    pub async fn run_api<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&House) -> ApiResult<T> + Send + 'static,
    {
        let house = Arc::clone(&self.house);
        match tokio::task::spawn_blocking(move || f(&house)).await {
            Ok(result) => result,
            Err(e) => Err(ApiError::internal(&e)),
        }
    }
}
