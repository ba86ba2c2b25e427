//! The versioned store of sanctions lists on disk, shared by the CLI and the server.
//!
//! Lists live in a directory (`--lists-dir`, default `clearhouse-lists`): each accepted set of
//! files is a version under `versions/<id>/` with a `manifest.json`, and the file `current` names
//! the version in force. A new version is parsed and indexed completely, written to a temporary
//! directory, synced and renamed into place, and only then is `current` replaced (write a
//! temporary file, rename): a malformed, truncated or half-downloaded file leaves the previous
//! version in force. With no version yet, the lists bundled in the binary are used.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use screening::Screener;
use screening::groups::NameGroups;
use screening::lists::{self, InputFile, ParseError, ParsedList};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Lists;

/// Largest list file read or downloaded, in bytes: the screening crate's limit, which every
/// list file goes through ([`InputFile::read`]).
pub const LIST_FILE_BYTES_MAX: u64 = lists::FILE_BYTES_MAX;
/// Longest version id read from `current` (`<seconds>-<12 hex digits>`).
const VERSION_ID_BYTES_MAX: u64 = 256;
/// Largest `manifest.json` read (a manifest lists a few dozen files).
const MANIFEST_BYTES_MAX: u64 = 1024 * 1024;
/// Most versions listed by [`ListStore::versions`] (the newest).
pub const VERSIONS_LISTED_MAX: usize = 1_000;
/// Share of a source's entities a new version may lose without `allow_shrink`: more than this
/// gone at once is far likelier a file cut at a row boundary (which the CSV formats cannot tell
/// from a shorter list) than a list that shrank.
pub const SHRINK_SHARE_MAX: f64 = 0.10;
/// The version name of the lists bundled in the binary.
pub const BUNDLED_VERSION: &str = "bundled";
/// Time allowed for one download.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(300);
/// Longest file name a source may store its file under, in bytes.
pub const SOURCE_NAME_BYTES_MAX: usize = 255;
/// Longest source address, in bytes.
pub const SOURCE_URL_BYTES_MAX: usize = 2_048;
/// Most sources in one table (the published addresses and every override): a list update
/// fetches at most this many files.
pub const SOURCES_MAX: usize = 64;

/// The official addresses, by the file name each is stored under (see [`published_sources`];
/// the CLI's `lists update` and the server's `POST /api/v1/lists/update` share this table).
pub const DEFAULT_SOURCES: &[(&str, &str)] = &[
    ("sdn.csv", "https://www.treasury.gov/ofac/downloads/sdn.csv"),
    ("alt.csv", "https://www.treasury.gov/ofac/downloads/alt.csv"),
    ("add.csv", "https://www.treasury.gov/ofac/downloads/add.csv"),
    (
        "sdn_comments.csv",
        "https://www.treasury.gov/ofac/downloads/sdn_comments.csv",
    ),
    (
        "cons_prim.csv",
        "https://www.treasury.gov/ofac/downloads/consolidated/cons_prim.csv",
    ),
    (
        "cons_alt.csv",
        "https://www.treasury.gov/ofac/downloads/consolidated/cons_alt.csv",
    ),
    (
        "cons_add.csv",
        "https://www.treasury.gov/ofac/downloads/consolidated/cons_add.csv",
    ),
    (
        "cons_comments.csv",
        "https://www.treasury.gov/ofac/downloads/consolidated/cons_comments.csv",
    ),
    (
        "UN_consolidated.xml",
        "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
    ),
    (
        "eu_fsf.xml",
        "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
    ),
    (
        "UK-Sanctions-List.csv",
        "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.csv",
    ),
    (
        "us_csl.csv",
        "https://data.trade.gov/downloaded_files/consolidated.csv",
    ),
    ("us_bis_dpl.txt", "https://www.bis.doc.gov/dpl/dpl.txt"),
];

/// Where one list file is fetched from: the name it is stored under and its address.
///
/// Written `FILE=URL` (`sdn.csv=https://…`) by `lists update --source` and
/// `serve --list-source`, both read by [`Source::from_str`](std::str::FromStr).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The file name the list is stored under (`sdn.csv`): a plain name, no directory.
    pub name: String,
    /// The `http://` or `https://` address it is fetched from.
    pub url: String,
}

impl Source {
    /// The address as it may be shown and recorded: without a user name or password it carries
    /// (`https://user:secret@host/x` is `https://…@host/x`), which would otherwise end up in
    /// manifests and answers that people other than the operator read.
    pub fn shown_url(&self) -> String {
        shown_url(&self.url)
    }
}

impl std::str::FromStr for Source {
    type Err = ListStoreError;

    /// Reads `FILE=URL`: `FILE` a plain file name (no directory, not `manifest.json`, which each
    /// version keeps beside its files), `URL` an `http://` or `https://` address.
    fn from_str(spec: &str) -> Result<Source, ListStoreError> {
        let bad = |message: &str| ListStoreError::BadSource {
            spec: spec.chars().take(SOURCE_URL_BYTES_MAX).collect(),
            message: message.to_owned(),
        };
        let (name, url) = spec
            .split_once('=')
            .ok_or_else(|| bad("expected FILE=URL"))?;
        let plain_name = !name.is_empty()
            && name.len() <= SOURCE_NAME_BYTES_MAX
            && name != "."
            && name != ".."
            && name != "manifest.json"
            && !name
                .chars()
                .any(|c| c == '/' || c == '\\' || c.is_control());
        if !plain_name {
            return Err(bad(&format!(
                "FILE must be a plain file name of 1 to {SOURCE_NAME_BYTES_MAX} bytes, without a \
                 directory, and not manifest.json"
            )));
        }
        let scheme_end = url.find("://").unwrap_or(0);
        let scheme = url[..scheme_end].to_ascii_lowercase();
        let well_formed = (scheme == "http" || scheme == "https")
            && url.len() > scheme_end + 3
            && url.len() <= SOURCE_URL_BYTES_MAX
            && !url.chars().any(|c| c.is_whitespace() || c.is_control());
        if !well_formed {
            return Err(bad(&format!(
                "URL must be an http:// or https:// address of at most {SOURCE_URL_BYTES_MAX} \
                 bytes, without spaces"
            )));
        }
        Ok(Source {
            name: name.to_owned(),
            url: url.to_owned(),
        })
    }
}

/// The published addresses ([`DEFAULT_SOURCES`]) with `overrides` applied in order: a name
/// already there gets the new address, a new name is added at the end.
pub fn published_sources(overrides: &[Source]) -> Result<Vec<Source>, ListStoreError> {
    let mut sources: Vec<Source> = DEFAULT_SOURCES
        .iter()
        .map(|(name, url)| Source {
            name: (*name).to_owned(),
            url: (*url).to_owned(),
        })
        .collect();
    for o in overrides {
        match sources.iter_mut().find(|s| s.name == o.name) {
            Some(entry) => entry.url.clone_from(&o.url),
            None => sources.push(o.clone()),
        }
    }
    if sources.len() > SOURCES_MAX {
        return Err(ListStoreError::BadSource {
            spec: format!("{} sources", sources.len()),
            message: format!("at most {SOURCES_MAX} sources may be configured"),
        });
    }
    Ok(sources)
}

/// The sources named in `only`, in the table's order (every source when `only` is empty). A
/// name the table does not have is an error naming its place in `only`.
pub fn select(sources: &[Source], only: &[String]) -> Result<Vec<Source>, ListStoreError> {
    if only.is_empty() {
        return Ok(sources.to_vec());
    }
    if let Some((index, name)) = only
        .iter()
        .enumerate()
        .find(|(_, name)| !sources.iter().any(|s| &s.name == *name))
    {
        return Err(ListStoreError::UnknownSource {
            index,
            name: name.chars().take(SOURCE_NAME_BYTES_MAX).collect(),
        });
    }
    Ok(sources
        .iter()
        .filter(|s| only.contains(&s.name))
        .cloned()
        .collect())
}

/// `url` without the user name and password of its authority, if any.
fn shown_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}://…{}", &url[..scheme_end], &rest[at..]),
        None => url.to_owned(),
    }
}

/// What can go wrong with the lists on disk. Nothing in force changes when any of these occurs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListStoreError {
    /// A file given is not a list (or the lists in force no longer parse).
    #[error("{context}: {source}")]
    Parse {
        /// What was being read.
        context: String,
        #[source]
        source: ParseError,
    },
    /// Reading or writing the lists directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A file is larger than [`LIST_FILE_BYTES_MAX`] (or a manifest than its limit).
    #[error("{path}: larger than the limit of {limit} bytes")]
    TooLarge {
        /// The file.
        path: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// A stored file is not what it should be (a manifest that does not parse, a bad pointer).
    #[error("{path}: {message}")]
    Damaged {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A new version would lose too many entities at once (see [`SHRINK_SHARE_MAX`]).
    #[error(
        "{0}; nothing was changed, the lists in force stay (pass allow_shrink if the list really shrank)"
    )]
    Shrink(String),
    /// A source is not written `FILE=URL` as it must be (see [`Source`]), or there are too many.
    #[error("source {spec:?}: {message}")]
    BadSource {
        /// The source as given.
        spec: String,
        /// What is wrong with it.
        message: String,
    },
    /// A file asked for is not among the sources (see [`select`]).
    #[error("{name:?} is not among the list sources")]
    UnknownSource {
        /// Its place among the names asked for.
        index: usize,
        /// The name.
        name: String,
    },
    /// A download failed.
    #[error("fetching {name} from {url}: {message} (the lists in force are unchanged)")]
    Download {
        /// The file's name.
        name: String,
        /// Where from.
        url: String,
        /// Why.
        message: String,
    },
}

impl ListStoreError {
    /// Whether a file or directory looked for is not there (a version not kept here).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ListStoreError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }

    fn io(path: &Path, source: std::io::Error) -> ListStoreError {
        ListStoreError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    fn parse(context: impl Into<String>) -> impl FnOnce(ParseError) -> ListStoreError {
        let context = context.into();
        move |source| ListStoreError::Parse { context, source }
    }
}

/// One file of a version.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileRecord {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
    /// Where it came from: a URL, a path, or `bundled`.
    pub origin: String,
}

impl FileRecord {
    /// The record of a file's bytes.
    pub fn of(name: &str, bytes: &[u8], origin: &str) -> FileRecord {
        FileRecord {
            name: name.to_string(),
            sha256: hex::encode(Sha256::digest(bytes)),
            bytes: bytes.len() as u64,
            origin: origin.to_string(),
        }
    }
}

/// The content hash of a set of list files: SHA-256 over each file's name and SHA-256, in name
/// order, as lower-case hex. Two sets with the same files (whatever their order or origin) have
/// the same hash; any other file, or any byte of one changed, gives another.
pub fn content_hash(files: &[FileRecord]) -> String {
    let mut sorted: Vec<&FileRecord> = files.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut hasher = Sha256::new();
    for f in sorted {
        for part in [&f.name, &f.sha256] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    hex::encode(hasher.finalize())
}

/// One list of a version.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ListRecord {
    pub source: String,
    pub date: Option<String>,
    pub entities: usize,
    pub names: usize,
}

/// What a version holds (`manifest.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub version: String,
    /// Seconds since the Unix epoch.
    pub created_at: u64,
    pub files: Vec<FileRecord>,
    pub lists: Vec<ListRecord>,
}

/// Lists loaded for screening, with what they are.
#[derive(Debug)]
pub struct LoadedLists {
    pub lists: Vec<ParsedList>,
    pub files: Vec<FileRecord>,
    /// `bundled`, `files given`, or the version id.
    pub version: String,
    /// When the version was made (seconds since the epoch); `None` for the bundled lists.
    pub created_at: Option<u64>,
}

impl LoadedLists {
    /// Every entity of every list.
    pub fn entities(&self) -> Vec<screening::Entity> {
        self.lists
            .iter()
            .flat_map(|l| l.entities.iter().cloned())
            .collect()
    }

    /// The records of the files a list was parsed from.
    pub fn files_of(&self, list: &ParsedList) -> Vec<&FileRecord> {
        self.files
            .iter()
            .filter(|f| list.files.iter().any(|name| name == &f.name))
            .collect()
    }

    /// Indexes the lists with the bundled cross-script name groups, parsed meanwhile on another
    /// thread (each takes about as long as the other).
    pub fn index(&self) -> Result<Screener, ListStoreError> {
        let (entities, groups) = std::thread::scope(|scope| {
            let groups = scope.spawn(|| NameGroups::parse(screening::groups::BUNDLED));
            (self.entities(), groups.join())
        });
        let groups = groups.map_err(|_| ListStoreError::Damaged {
            path: "(bundled name groups)".into(),
            message: "parsing them failed".into(),
        })?;
        Ok(Screener::with_own_weights(entities, Arc::new(groups)))
    }

    /// The lists as the house holds them in force.
    pub fn into_lists(self) -> Result<Lists, ListStoreError> {
        let screener = self.index()?;
        let mut lists = Lists::from_screener(Arc::new(screener), &self.version);
        lists.content_hash = Some(content_hash(&self.files));
        Ok(lists)
    }
}

/// A version made by [`ListStore::install`].
#[derive(Debug)]
pub struct Installed {
    pub manifest: Manifest,
    /// The version in force before.
    pub previous: String,
    /// What the new version holds, parsed.
    pub parsed: Vec<ParsedList>,
}

impl Installed {
    /// The new version's lists as the house holds them (to pass to `House::rescreen`).
    pub fn lists(&self) -> Lists {
        let entities = self
            .parsed
            .iter()
            .flat_map(|l| l.entities.iter().cloned())
            .collect();
        let mut lists = Lists::index(entities, &self.manifest.version);
        lists.content_hash = Some(content_hash(&self.manifest.files));
        lists
    }
}

/// The lists directory.
#[derive(Debug, Clone)]
pub struct ListStore {
    dir: PathBuf,
}

impl ListStore {
    /// The lists kept under `dir` (which need not exist yet).
    pub fn new(dir: impl Into<PathBuf>) -> ListStore {
        ListStore { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The version in force, else the bundled lists.
    pub fn load(&self) -> Result<LoadedLists, ListStoreError> {
        match self.current()? {
            Some(manifest) => self.load_manifest(manifest),
            None => bundled(),
        }
    }

    /// One version kept here, by its id (`bundled`: the lists bundled in the binary), whether
    /// or not it is the one `current` names: what a house loads when the database says another
    /// process put this version in force. A version not kept here is [`ListStoreError::Io`]
    /// with [`std::io::ErrorKind::NotFound`] (see [`ListStoreError::is_not_found`]).
    pub fn load_version(&self, version: &str) -> Result<LoadedLists, ListStoreError> {
        if version == BUNDLED_VERSION {
            return bundled();
        }
        let manifest = self.manifest(version, &self.dir.join("versions"))?;
        if manifest.version != version {
            return Err(ListStoreError::Damaged {
                path: self
                    .dir
                    .join("versions")
                    .join(version)
                    .display()
                    .to_string(),
                message: format!("its manifest names version {}", manifest.version),
            });
        }
        self.load_manifest(manifest)
    }

    /// The lists of a version, parsed from its files.
    fn load_manifest(&self, manifest: Manifest) -> Result<LoadedLists, ListStoreError> {
        let version_dir = self.dir.join("versions").join(&manifest.version);
        let paths: Vec<PathBuf> = manifest
            .files
            .iter()
            .map(|f| version_dir.join(&f.name))
            .collect();
        let (files, _) = read_files(&paths)?;
        let lists = lists::parse_files(files).map_err(ListStoreError::parse(format!(
            "the lists of version {} no longer parse",
            manifest.version
        )))?;
        Ok(LoadedLists {
            lists,
            files: manifest.files,
            version: manifest.version,
            created_at: Some(manifest.created_at),
        })
    }

    /// The manifest of one version kept here, by its id; `None` for the bundled lists (they
    /// have none) and for a version not kept here.
    pub fn manifest_of(&self, version: &str) -> Result<Option<Manifest>, ListStoreError> {
        if version == BUNDLED_VERSION {
            return Ok(None);
        }
        match self.manifest(version, &self.dir.join("versions")) {
            Ok(manifest) => Ok(Some(manifest)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The manifest of the version in force, if any.
    pub fn current(&self) -> Result<Option<Manifest>, ListStoreError> {
        let pointer = self.dir.join("current");
        let mut version = String::new();
        match fs::File::open(&pointer).and_then(|f| {
            f.take(VERSION_ID_BYTES_MAX + 1)
                .read_to_string(&mut version)
        }) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ListStoreError::io(&pointer, e)),
        }
        self.manifest(version.trim(), &pointer).map(Some)
    }

    /// The manifest of a version named in `named_in` (the pointer, or the versions directory):
    /// a version id is letters, digits and `-`, never a path.
    fn manifest(&self, version: &str, named_in: &Path) -> Result<Manifest, ListStoreError> {
        let well_formed = version.len() as u64 <= VERSION_ID_BYTES_MAX
            && !version.is_empty()
            && version
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !well_formed {
            return Err(ListStoreError::Damaged {
                path: named_in.display().to_string(),
                message: "not a version id".into(),
            });
        }
        let path = self
            .dir
            .join("versions")
            .join(version)
            .join("manifest.json");
        read_manifest(&path)
    }

    /// Every version kept, oldest first (at most [`VERSIONS_LISTED_MAX`], the newest), so that
    /// an operator sees what each update changed (a list that halved stands out).
    pub fn versions(&self) -> Result<Vec<Manifest>, ListStoreError> {
        let versions = self.dir.join("versions");
        let entries = match fs::read_dir(&versions) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(ListStoreError::io(&versions, e)),
        };
        let mut manifests = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| ListStoreError::io(&versions, e))?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            manifests.push(read_manifest(&entry.path().join("manifest.json"))?);
        }
        manifests.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then(a.version.cmp(&b.version))
        });
        let skip = manifests.len().saturating_sub(VERSIONS_LISTED_MAX);
        manifests.drain(..skip);
        Ok(manifests)
    }

    /// Makes a new version from the files given plus the files of the version in force whose
    /// lists the new files do not replace; everything is parsed before anything is written.
    pub fn install(
        &self,
        inputs: Vec<InputFile>,
        records: Vec<FileRecord>,
        allow_shrink: bool,
    ) -> Result<Installed, ListStoreError> {
        let new_lists = lists::parse_files(inputs.clone()).map_err(ListStoreError::parse(
            "nothing was changed; the lists in force stay",
        ))?;
        let replaced: Vec<&str> = new_lists.iter().map(|l| l.source.as_str()).collect();
        let (mut all_inputs, mut all_records) = (inputs, records);
        let previous = self.load()?;
        // Which list each previous file belongs to, as the parser grouped them.
        let previous_sources: Vec<(String, String)> = previous
            .lists
            .iter()
            .flat_map(|l| l.files.iter().map(|f| (f.clone(), l.source.clone())))
            .collect();
        for (input, record) in self.files_in_force(&previous)? {
            let source = previous_sources
                .iter()
                .find(|(file, _)| *file == input.name)
                .map(|(_, source)| source.as_str());
            if source.is_some_and(|s| replaced.contains(&s))
                || all_records.iter().any(|r| r.name == record.name)
            {
                continue;
            }
            all_inputs.push(input);
            all_records.push(record);
        }
        let parsed = lists::parse_files(all_inputs.clone()).map_err(ListStoreError::parse(
            "nothing was changed; the lists in force stay",
        ))?;
        if !allow_shrink && let Some(message) = shrinkage(&previous.lists, &parsed) {
            return Err(ListStoreError::Shrink(message));
        }
        let manifest = self.write_version(&all_inputs, all_records, &parsed)?;
        Ok(Installed {
            manifest,
            previous: previous.version,
            parsed,
        })
    }

    /// The files of the version in force, with their records.
    fn files_in_force(
        &self,
        previous: &LoadedLists,
    ) -> Result<Vec<(InputFile, FileRecord)>, ListStoreError> {
        if previous.version == BUNDLED_VERSION {
            return Ok(lists::bundled_inputs()
                .into_iter()
                .map(|input| {
                    let record = FileRecord::of(&input.name, &input.bytes, "bundled");
                    (input, record)
                })
                .collect());
        }
        let version_dir = self.dir.join("versions").join(&previous.version);
        previous
            .files
            .iter()
            .map(|f| {
                let mut input = read_list_file(&version_dir.join(&f.name))?;
                input.name = f.name.clone();
                Ok((input, f.clone()))
            })
            .collect()
    }

    fn write_version(
        &self,
        inputs: &[InputFile],
        files: Vec<FileRecord>,
        parsed: &[ParsedList],
    ) -> Result<Manifest, ListStoreError> {
        let created_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let mut hasher = Sha256::new();
        for f in &files {
            hasher.update(f.sha256.as_bytes());
        }
        let version = format!("{created_at}-{}", &hex::encode(hasher.finalize())[..12]);
        let manifest = Manifest {
            version: version.clone(),
            created_at,
            files,
            lists: parsed
                .iter()
                .map(|l| ListRecord {
                    source: l.source.clone(),
                    date: l.date.clone(),
                    entities: l.entities.len(),
                    names: l.entities.iter().map(|e| e.names.len()).sum(),
                })
                .collect(),
        };
        let versions = self.dir.join("versions");
        fs::create_dir_all(&versions).map_err(|e| ListStoreError::io(&versions, e))?;
        let staging = versions.join(format!(".{version}.tmp"));
        let _ = fs::remove_dir_all(&staging);
        fs::create_dir_all(&staging).map_err(|e| ListStoreError::io(&staging, e))?;
        for input in inputs {
            let file_name =
                Path::new(&input.name)
                    .file_name()
                    .ok_or_else(|| ListStoreError::Damaged {
                        path: input.name.clone(),
                        message: "a list file has no name".into(),
                    })?;
            write_synced(&staging.join(file_name), &input.bytes)?;
        }
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| ListStoreError::Damaged {
            path: "manifest.json".into(),
            message: e.to_string(),
        })?;
        write_synced(&staging.join("manifest.json"), &json)?;
        let final_dir = versions.join(&version);
        if final_dir.join("manifest.json").is_file() {
            // The same files installed again within the same second: the version id names their
            // hashes, so the version already there is this one, and it is put in force again.
            let _ = fs::remove_dir_all(&staging);
        } else {
            fs::rename(&staging, &final_dir).map_err(|e| ListStoreError::io(&final_dir, e))?;
        }
        let pointer = self.dir.join(".current.tmp");
        write_synced(&pointer, version.as_bytes())?;
        let current = self.dir.join("current");
        fs::rename(&pointer, &current).map_err(|e| ListStoreError::io(&current, e))?;
        sync_dir(&self.dir);
        Ok(manifest)
    }
}

/// The lists bundled in the binary, with their file records.
pub fn bundled() -> Result<LoadedLists, ListStoreError> {
    let lists = lists::bundled().map_err(ListStoreError::parse("the bundled lists"))?;
    let files = lists::bundled_files()
        .into_iter()
        .map(|(name, bytes)| FileRecord::of(name, bytes, "bundled"))
        .collect();
    Ok(LoadedLists {
        lists,
        files,
        version: BUNDLED_VERSION.to_string(),
        created_at: None,
    })
}

/// Lists from files given by hand (not a version: `files given`).
pub fn load_files(paths: &[PathBuf]) -> Result<LoadedLists, ListStoreError> {
    let (files, records) = read_files(paths)?;
    let lists = lists::parse_files(files).map_err(ListStoreError::parse("the files given"))?;
    Ok(LoadedLists {
        lists,
        files: records,
        version: "files given".to_string(),
        created_at: None,
    })
}

/// Fetches each source, every file within [`LIST_FILE_BYTES_MAX`] and [`DOWNLOAD_TIMEOUT`],
/// all of them within `time_max` when given. The first failure (no answer, an HTTP error, a
/// file too large, time run out) stops it and names the file; nothing is written either way.
/// Each file's record gives its address as [`Source::shown_url`] shows it.
pub fn download(
    sources: &[Source],
    time_max: Option<Duration>,
) -> Result<(Vec<InputFile>, Vec<FileRecord>), ListStoreError> {
    let started = Instant::now();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(DOWNLOAD_TIMEOUT))
        .build()
        .into();
    let mut inputs = Vec::with_capacity(sources.len());
    let mut records = Vec::with_capacity(sources.len());
    for source in sources {
        let failed = |message: String| ListStoreError::Download {
            name: source.name.clone(),
            url: source.shown_url(),
            message,
        };
        let timeout = match time_max {
            None => DOWNLOAD_TIMEOUT,
            Some(limit) => match limit.checked_sub(started.elapsed()) {
                Some(left) if !left.is_zero() => left.min(DOWNLOAD_TIMEOUT),
                _ => {
                    return Err(failed(format!(
                        "not started: the downloads' time of {} s ran out",
                        limit.as_secs()
                    )));
                }
            },
        };
        let mut response = agent
            .get(&source.url)
            .config()
            .timeout_global(Some(timeout))
            .build()
            .call()
            .map_err(|e| failed(e.to_string()))?;
        let mut bytes = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(LIST_FILE_BYTES_MAX + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| failed(e.to_string()))?;
        if bytes.len() as u64 > LIST_FILE_BYTES_MAX {
            return Err(failed(format!("larger than {LIST_FILE_BYTES_MAX} bytes")));
        }
        records.push(FileRecord::of(&source.name, &bytes, &source.shown_url()));
        inputs.push(InputFile {
            name: source.name.clone(),
            bytes,
        });
    }
    Ok((inputs, records))
}

/// Sources that lost more than [`SHRINK_SHARE_MAX`] of their entities from `previous` to `next`,
/// said as one message; `None` when none did.
pub fn shrinkage(previous: &[ParsedList], next: &[ParsedList]) -> Option<String> {
    let shrunk: Vec<String> = next
        .iter()
        .filter_map(|list| {
            let before = previous
                .iter()
                .filter(|p| p.source == list.source)
                .map(|p| p.entities.len())
                .sum::<usize>();
            let after = list.entities.len();
            let lost = before.saturating_sub(after);
            (before > 0 && lost as f64 > SHRINK_SHARE_MAX * before as f64).then(|| {
                format!(
                    "{}: {after} entities where the version in force has {before} ({:.1} % fewer)",
                    list.source,
                    100.0 * lost as f64 / before as f64
                )
            })
        })
        .collect();
    (!shrunk.is_empty()).then(|| {
        format!(
            "{} (more than {:.0} % lost at once looks like a cut file)",
            shrunk.join("; "),
            100.0 * SHRINK_SHARE_MAX
        )
    })
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ListStoreError> {
    let mut file = fs::File::create(path).map_err(|e| ListStoreError::io(path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| ListStoreError::io(path, e))
}

/// Makes the renames durable (best effort: not every file system can sync a directory).
fn sync_dir(dir: &Path) {
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// Reads one `manifest.json`, within [`MANIFEST_BYTES_MAX`].
fn read_manifest(path: &Path) -> Result<Manifest, ListStoreError> {
    let mut text = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(MANIFEST_BYTES_MAX + 1).read_to_end(&mut text))
        .map_err(|e| ListStoreError::io(path, e))?;
    if text.len() as u64 > MANIFEST_BYTES_MAX {
        return Err(ListStoreError::TooLarge {
            path: path.display().to_string(),
            limit: MANIFEST_BYTES_MAX,
        });
    }
    serde_json::from_slice(&text).map_err(|e| ListStoreError::Damaged {
        path: path.display().to_string(),
        message: format!("not a manifest: {e}"),
    })
}

/// Reads list files named by path; each record's name is the file name, its origin the path.
pub fn read_files(paths: &[PathBuf]) -> Result<(Vec<InputFile>, Vec<FileRecord>), ListStoreError> {
    let mut inputs = Vec::with_capacity(paths.len());
    let mut records = Vec::with_capacity(paths.len());
    for path in paths {
        let mut input = read_list_file(path)?;
        input.name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        records.push(FileRecord::of(
            &input.name,
            &input.bytes,
            &path.display().to_string(),
        ));
        inputs.push(input);
    }
    Ok((inputs, records))
}

/// Reads one list file within [`LIST_FILE_BYTES_MAX`]; the error names the path. A regular file
/// over the limit is refused by its size, anything else (a pipe, a device) as soon as the limit
/// is passed.
fn read_list_file(path: &Path) -> Result<InputFile, ListStoreError> {
    let file = fs::File::open(path).map_err(|e| ListStoreError::io(path, e))?;
    let meta = file.metadata().map_err(|e| ListStoreError::io(path, e))?;
    if meta.is_file() && meta.len() > LIST_FILE_BYTES_MAX {
        return Err(ListStoreError::TooLarge {
            path: path.display().to_string(),
            limit: LIST_FILE_BYTES_MAX,
        });
    }
    InputFile::read(&path.display().to_string(), file)
        .map_err(ListStoreError::parse(path.display().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(source: &str, entities: usize) -> ParsedList {
        let entity = screening::Entity {
            id: String::new(),
            schema: screening::Schema::Person,
            caption: String::new(),
            names: Vec::new(),
            birth_dates: Vec::new(),
            countries: Vec::new(),
            identifiers: Vec::new(),
            programs: Vec::new(),
            source: source.to_owned(),
        };
        ParsedList {
            format: lists::ListFormat::UsCsl,
            source: source.to_owned(),
            date: None,
            entities: vec![entity; entities],
            files: Vec::new(),
        }
    }

    #[test]
    fn losing_more_than_the_share_is_shrinkage() {
        let before = [list("us_csl", 4_219), list("un_sc", 1_000)];
        assert_eq!(shrinkage(&before, &[list("us_csl", 3_800)]), None);
        assert_eq!(shrinkage(&before, &[list("us_csl", 5_000)]), None);
        assert_eq!(shrinkage(&before, &[list("new_list", 1)]), None);
        let message = shrinkage(&before, &[list("us_csl", 2_107), list("un_sc", 990)]).unwrap();
        assert!(
            message.starts_with(
                "us_csl: 2107 entities where the version in force has 4219 (50.1 % fewer)"
            ),
            "{message}"
        );
        assert!(!message.contains("un_sc"));
    }

    #[test]
    fn sources_are_read_as_file_equals_url_and_refuse_what_is_not() {
        let source: Source = "eu_fsf.xml=https://example.org/x?token=a=b"
            .parse()
            .unwrap();
        assert_eq!(source.name, "eu_fsf.xml");
        assert_eq!(source.url, "https://example.org/x?token=a=b");
        for bad in [
            "sdn.csv",
            "=https://example.org/sdn.csv",
            "../sdn.csv=https://example.org/sdn.csv",
            "lists/sdn.csv=https://example.org/sdn.csv",
            "..=https://example.org/sdn.csv",
            "manifest.json=https://example.org/m.json",
            "sdn.csv=ftp://example.org/sdn.csv",
            "sdn.csv=file:///etc/passwd",
            "sdn.csv=https://",
            "sdn.csv=https://example.org/a b",
            "sdn.csv=example.org/sdn.csv",
        ] {
            let e = bad.parse::<Source>().unwrap_err();
            assert!(matches!(e, ListStoreError::BadSource { .. }), "{bad}: {e}");
        }
    }

    #[test]
    fn overrides_replace_or_add_and_only_selects_by_name() {
        let overrides: Vec<Source> = ["sdn.csv=http://mirror/sdn.csv", "extra.csv=http://mirror/e"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let sources = published_sources(&overrides).unwrap();
        assert_eq!(sources.len(), DEFAULT_SOURCES.len() + 1);
        assert_eq!(sources[0].url, "http://mirror/sdn.csv");
        assert_eq!(sources.last().unwrap().name, "extra.csv");
        let chosen = select(&sources, &["extra.csv".into(), "sdn.csv".into()]).unwrap();
        let names: Vec<&str> = chosen.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["sdn.csv", "extra.csv"]);
        assert_eq!(select(&sources, &[]).unwrap(), sources);
        let e = select(&sources, &["sdn.csv".into(), "nope.csv".into()]).unwrap_err();
        assert!(
            matches!(&e, ListStoreError::UnknownSource { index: 1, name } if name == "nope.csv"),
            "{e}"
        );
        let many: Vec<Source> = (0..SOURCES_MAX)
            .map(|i| format!("f{i}.csv=http://mirror/{i}").parse().unwrap())
            .collect();
        assert!(published_sources(&many).is_err());
    }

    #[test]
    fn an_address_is_shown_without_its_credentials() {
        assert_eq!(
            shown_url("https://user:secret@mirror.example/lists/sdn.csv?a=b@c"),
            "https://…@mirror.example/lists/sdn.csv?a=b@c"
        );
        assert_eq!(
            shown_url("https://mirror.example/a@b"),
            "https://mirror.example/a@b"
        );
    }

    #[test]
    fn the_content_hash_is_of_the_files_whatever_their_order_or_origin() {
        let a = FileRecord::of("a.csv", b"one", "https://example.org/a.csv");
        let b = FileRecord::of("b.csv", b"two", "uploaded");
        let hash = content_hash(&[a.clone(), b.clone()]);
        assert_eq!(hash.len(), 64);
        let elsewhere = FileRecord::of("a.csv", b"one", "bundled");
        assert_eq!(content_hash(&[b.clone(), elsewhere]), hash);
        assert_ne!(content_hash(std::slice::from_ref(&a)), hash);
        let changed = FileRecord::of("b.csv", b"two!", "uploaded");
        assert_ne!(content_hash(&[a, changed]), hash);
    }

    #[test]
    fn a_version_not_kept_is_not_found_and_a_path_is_no_version() {
        let dir = tempfile::tempdir().unwrap();
        let store = ListStore::new(dir.path());
        let e = store.load_version("1700000000-0123456789ab").unwrap_err();
        assert!(e.is_not_found(), "{e}");
        let e = store.load_version("../elsewhere").unwrap_err();
        assert!(
            !e.is_not_found() && e.to_string().contains("not a version id"),
            "{e}"
        );
        assert_eq!(
            store.load_version(BUNDLED_VERSION).unwrap().version,
            BUNDLED_VERSION
        );
    }

    #[test]
    fn a_damaged_pointer_is_named_and_no_version_is_the_bundled_lists() {
        let dir = tempfile::tempdir().unwrap();
        let store = ListStore::new(dir.path());
        assert!(store.current().unwrap().is_none());
        assert!(store.versions().unwrap().is_empty());
        fs::write(dir.path().join("current"), "../../etc").unwrap();
        let e = store.current().unwrap_err().to_string();
        assert!(
            e.contains("current") && e.contains("not a version id"),
            "{e}"
        );
    }
}
