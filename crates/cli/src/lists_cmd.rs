//! `clearhouse lists update|import|status`, and loading the lists every screening command uses.
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
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use screening::Screener;
use screening::groups::NameGroups;
use screening::lists::{self, InputFile, ParsedList};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Ctx, output};

/// Largest list file read or downloaded, in bytes: the screening crate's limit, which every
/// list file goes through ([`InputFile::read`]).
pub const LIST_FILE_BYTES_MAX: u64 = lists::FILE_BYTES_MAX;
/// Longest version id read from `current` (`<seconds>-<12 hex digits>`).
const VERSION_ID_BYTES_MAX: u64 = 256;
/// Largest `manifest.json` read (a manifest lists a few dozen files).
const MANIFEST_BYTES_MAX: u64 = 1024 * 1024;
/// Share of a source's entities a new version may lose without `--allow-shrink`: more than this
/// gone at once is far likelier a file cut at a row boundary (which the CSV formats cannot tell
/// from a shorter list) than a list that shrank.
pub const SHRINK_SHARE_MAX: f64 = 0.10;
/// Time allowed for one download.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(300);

/// Where the lists are kept.
#[derive(Debug, Clone, Args)]
pub struct ListsDirArg {
    /// Directory holding imported list versions (the bundled lists are used until one exists).
    #[arg(
        long,
        env = "CLEARHOUSE_LISTS_DIR",
        default_value = "clearhouse-lists",
        global = true
    )]
    pub lists_dir: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ListsCommand {
    /// Fetch the current official files from their published addresses and make them the lists in force.
    Update(UpdateArgs),
    /// Load list files by hand (each replaces the list of its source; other lists stay).
    Import {
        /// List files: OFAC CSV sets, UN XML, EU FSF XML, UK CSV, US CSL CSV, BIS DPL, FtM JSON lines.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Accept a list that lost more than 10 % of its entities since the version in force.
        #[arg(long)]
        allow_shrink: bool,
    },
    /// Show each list in force: source, date, files with sha256, counts.
    Status,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Override or add a source address: `FILE=URL` (for example `sdn.csv=https://…`).
    #[arg(long = "source", value_name = "FILE=URL")]
    sources: Vec<String>,
    /// Fetch only these files (by name, as listed by `--list-sources`).
    #[arg(long)]
    only: Vec<String>,
    /// Print the configured addresses and stop.
    #[arg(long)]
    list_sources: bool,
    /// Accept a list that lost more than 10 % of its entities since the version in force.
    #[arg(long)]
    allow_shrink: bool,
}

/// The official addresses, by the file name each is stored under.
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

/// One file of a version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileRecord {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
    /// Where it came from: a URL, a path, or `bundled`.
    pub origin: String,
}

/// One list of a version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListRecord {
    pub source: String,
    pub date: Option<String>,
    pub entities: usize,
    pub names: usize,
}

/// What a version holds (`manifest.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub version: String,
    /// Seconds since the Unix epoch.
    pub created_at: u64,
    pub files: Vec<FileRecord>,
    pub lists: Vec<ListRecord>,
}

/// Lists loaded for screening, with what they are.
pub struct LoadedLists {
    pub lists: Vec<ParsedList>,
    pub files: Vec<FileRecord>,
    /// `bundled`, `files given`, or the version id.
    pub version: String,
}

impl LoadedLists {
    /// Every entity of every list.
    pub fn entities(&self) -> Vec<screening::Entity> {
        self.lists
            .iter()
            .flat_map(|l| l.entities.iter().cloned())
            .collect()
    }

    /// Indexes the lists with the cross-script name groups.
    pub fn screener(&self, groups: Arc<NameGroups>) -> Screener {
        Screener::with_own_weights(self.entities(), groups)
    }
}

/// Loads the lists (as [`load`]) and indexes them; the name groups are parsed meanwhile on
/// another thread, since each takes about as long as the other.
pub fn load_screener(explicit: &[PathBuf], dir: &Path) -> anyhow::Result<(LoadedLists, Screener)> {
    let (loaded, groups) = std::thread::scope(|scope| {
        let groups = scope.spawn(|| NameGroups::parse(screening::groups::BUNDLED));
        (load(explicit, dir), groups.join())
    });
    let loaded = loaded?;
    let groups = groups.map_err(|_| anyhow::anyhow!("parsing the bundled name groups failed"))?;
    let screener = loaded.screener(Arc::new(groups));
    Ok((loaded, screener))
}

/// Loads `--lists` files if given, else the version in force, else the bundled lists.
pub fn load(explicit: &[PathBuf], dir: &Path) -> anyhow::Result<LoadedLists> {
    if !explicit.is_empty() {
        let (files, records) = read_files(explicit)?;
        let lists = lists::parse_files(files)?;
        return Ok(LoadedLists {
            lists,
            files: records,
            version: "files given".to_string(),
        });
    }
    if let Some(manifest) = current_manifest(dir)? {
        let version_dir = dir.join("versions").join(&manifest.version);
        let paths: Vec<PathBuf> = manifest
            .files
            .iter()
            .map(|f| version_dir.join(&f.name))
            .collect();
        let (files, _) = read_files(&paths)?;
        let lists = lists::parse_files(files).with_context(|| {
            format!("the lists in force ({}) no longer parse", manifest.version)
        })?;
        return Ok(LoadedLists {
            lists,
            files: manifest.files,
            version: manifest.version,
        });
    }
    let lists = lists::bundled().context("the bundled lists do not parse")?;
    let files = lists::bundled_files()
        .into_iter()
        .map(|(name, bytes)| record(name, bytes, "bundled"))
        .collect();
    Ok(LoadedLists {
        lists,
        files,
        version: "bundled".to_string(),
    })
}

pub fn run(ctx: &Ctx, dir: &Path, command: ListsCommand) -> anyhow::Result<ExitCode> {
    match command {
        ListsCommand::Status => status(ctx, dir),
        ListsCommand::Import {
            files,
            allow_shrink,
        } => {
            let (inputs, records) = read_files(&files)?;
            install(ctx, dir, inputs, records, allow_shrink)
        }
        ListsCommand::Update(args) => update(ctx, dir, &args),
    }
}

fn status(ctx: &Ctx, dir: &Path) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let (loaded, screener) = load_screener(&[], dir)?;
    let elapsed = started.elapsed();
    for list in &loaded.lists {
        let names: usize = list.entities.iter().map(|e| e.names.len()).sum();
        let files: Vec<&FileRecord> = files_of(list, &loaded.files);
        if ctx.json {
            output::json_line(&serde_json::json!({
                "type": "list",
                "data": {
                    "source": list.source,
                    "date": list.date,
                    "entities": list.entities.len(),
                    "names": names,
                    "version": loaded.version,
                    "files": files,
                }
            }))?;
        } else {
            output::line(&format!(
                "{:<14} {:<10}  {:>6} entities  {:>6} names",
                list.source,
                list.date.as_deref().unwrap_or("(no date)"),
                list.entities.len(),
                names
            ))?;
            for file in files {
                output::line(&format!(
                    "    {}  {:>10} bytes  sha256 {}  from {}",
                    file.name, file.bytes, file.sha256, file.origin
                ))?;
            }
        }
    }
    let summary = format!(
        "version {}: {} lists, {} entities, {} distinct name tokens; loaded and indexed in {:.2} s",
        loaded.version,
        loaded.lists.len(),
        screener.entities().len(),
        screener.index().vocabulary_len(),
        elapsed.as_secs_f64()
    );
    print_versions(ctx, dir, &loaded.version)?;
    if ctx.json {
        output::json_line(&serde_json::json!({"type": "summary", "data": {
            "version": loaded.version,
            "lists": loaded.lists.len(),
            "entities": screener.entities().len(),
            "load_seconds": elapsed.as_secs_f64(),
        }}))?;
    } else {
        output::line(&summary)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Every version kept under `dir`, oldest first, with its entity counts per source, so that an
/// operator sees what each update changed (a list that halved stands out).
fn print_versions(ctx: &Ctx, dir: &Path, current: &str) -> anyhow::Result<()> {
    let mut manifests = Vec::new();
    let versions = dir.join("versions");
    let entries = match fs::read_dir(&versions) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", versions.display())),
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("reading {}", versions.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        manifests.push(read_manifest(&entry.path().join("manifest.json"))?);
    }
    manifests.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then(a.version.cmp(&b.version))
    });
    for manifest in &manifests {
        let in_force = manifest.version == current;
        if ctx.json {
            output::json_line(&serde_json::json!({"type": "version", "data": {
                "version": manifest.version,
                "created_at": manifest.created_at,
                "in_force": in_force,
                "lists": manifest.lists,
            }}))?;
            continue;
        }
        let counts: Vec<String> = manifest
            .lists
            .iter()
            .map(|l| format!("{} {}", l.source, l.entities))
            .collect();
        output::line(&format!(
            "{} version {}: {}",
            if in_force { "*" } else { " " },
            manifest.version,
            counts.join(", ")
        ))?;
    }
    Ok(())
}

/// The records of the files a list was parsed from.
fn files_of<'a>(list: &ParsedList, files: &'a [FileRecord]) -> Vec<&'a FileRecord> {
    files
        .iter()
        .filter(|f| list.files.iter().any(|name| name == &f.name))
        .collect()
}

fn update(ctx: &Ctx, dir: &Path, args: &UpdateArgs) -> anyhow::Result<ExitCode> {
    let mut sources: Vec<(String, String)> = DEFAULT_SOURCES
        .iter()
        .map(|(n, u)| (n.to_string(), u.to_string()))
        .collect();
    for spec in &args.sources {
        let Some((name, url)) = spec.split_once('=') else {
            bail!("--source {spec}: expected FILE=URL");
        };
        match sources.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = url.to_string(),
            None => sources.push((name.to_string(), url.to_string())),
        }
    }
    if !args.only.is_empty() {
        for name in &args.only {
            if !sources.iter().any(|(n, _)| n == name) {
                bail!("--only {name}: no such source (see --list-sources)");
            }
        }
        sources.retain(|(n, _)| args.only.contains(n));
    }
    if args.list_sources {
        for (name, url) in &sources {
            output::line(&format!("{name}\t{url}"))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut inputs = Vec::new();
    let mut records = Vec::new();
    for (name, url) in &sources {
        let bytes = download(url).with_context(|| {
            format!("fetching {name} from {url} (the lists in force are unchanged)")
        })?;
        records.push(record(name, &bytes, url));
        inputs.push(InputFile {
            name: name.clone(),
            bytes,
        });
    }
    install(ctx, dir, inputs, records, args.allow_shrink)
}

fn download(url: &str) -> anyhow::Result<Vec<u8>> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(DOWNLOAD_TIMEOUT))
        .build()
        .into();
    let mut response = agent.get(url).call()?;
    let mut bytes = Vec::new();
    response
        .body_mut()
        .as_reader()
        .take(LIST_FILE_BYTES_MAX + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > LIST_FILE_BYTES_MAX {
        bail!("larger than {LIST_FILE_BYTES_MAX} bytes");
    }
    Ok(bytes)
}

/// Makes a new version from the files given plus the files of the version in force whose lists
/// the new files do not replace; everything is parsed before anything is written.
fn install(
    ctx: &Ctx,
    dir: &Path,
    inputs: Vec<InputFile>,
    records: Vec<FileRecord>,
    allow_shrink: bool,
) -> anyhow::Result<ExitCode> {
    let new_lists = lists::parse_files(inputs.clone())
        .context("nothing was changed; the lists in force stay")?;
    let replaced: Vec<&str> = new_lists.iter().map(|l| l.source.as_str()).collect();
    let (mut all_inputs, mut all_records) = (inputs, records);
    let previous = load(&[], dir)?;
    let previous_inputs = previous_files(dir, &previous)?;
    // Which list each previous file belongs to, as the parser grouped them.
    let previous_sources: Vec<(String, String)> = previous
        .lists
        .iter()
        .flat_map(|l| l.files.iter().map(|f| (f.clone(), l.source.clone())))
        .collect();
    for (input, record) in previous_inputs {
        let source = previous_sources
            .iter()
            .find(|(file, _)| *file == input.name)
            .map(|(_, source)| source.as_str());
        if source.is_some_and(|s| replaced.contains(&s)) {
            continue;
        }
        if all_records.iter().any(|r| r.name == record.name) {
            continue;
        }
        all_inputs.push(input);
        all_records.push(record);
    }
    let parsed = lists::parse_files(all_inputs.clone())
        .context("nothing was changed; the lists in force stay")?;
    if !allow_shrink && let Some(message) = shrinkage(&previous.lists, &parsed) {
        bail!(
            "{message}; nothing was changed, the lists in force stay (pass --allow-shrink if the \
             list really shrank)"
        );
    }
    let manifest = write_version(dir, &all_inputs, all_records, &parsed)?;
    report_installed(ctx, &manifest, &previous)?;
    rescreen_house(ctx, &parsed, &manifest.version)
}

/// Sources that lost more than [`SHRINK_SHARE_MAX`] of their entities from `previous` to `next`,
/// said as one message; `None` when none did.
fn shrinkage(previous: &[ParsedList], next: &[ParsedList]) -> Option<String> {
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

/// After a list update: if the database holds a clearing house, rescreens every participant,
/// owner, director and open claim against the new lists; new hits open alerts and suspend the
/// participant (or hold the claim) until reviewed. Exit 1 when something new was found.
fn rescreen_house(ctx: &Ctx, parsed: &[ParsedList], version: &str) -> anyhow::Result<ExitCode> {
    if let store::Location::Sqlite(path) = &ctx.location
        && !path.exists()
    {
        return Ok(ExitCode::SUCCESS);
    }
    let store = ctx.open()?;
    if !house::House::is_initialised(&store)? {
        return Ok(ExitCode::SUCCESS);
    }
    drop(store);
    let mut h = crate::house_cmd::open(ctx, false)?;
    let entities = parsed
        .iter()
        .flat_map(|l| l.entities.iter().cloned())
        .collect();
    let lists = house::Lists::index(entities, version);
    let actor = ctx.actor(&h)?;
    let report = h.rescreen(&actor, lists)?;
    let found = !report.new_alerts.is_empty();
    crate::house_cmd::emit(ctx, "rescreen", &report, |r| {
        format!(
            "rescreened {} participants ({} names) and {} open claims against {}: {} new alerts; suspended: {}; held: {}; hits gone: {}",
            r.participants,
            r.names,
            r.claims,
            r.lists_version,
            r.new_alerts.len(),
            if r.suspended.is_empty() {
                "none".to_owned()
            } else {
                r.suspended.join(", ")
            },
            if r.held.is_empty() {
                "none".to_owned()
            } else {
                r.held.join(", ")
            },
            r.gone.len()
        )
    })?;
    Ok(if found {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn previous_files(
    dir: &Path,
    previous: &LoadedLists,
) -> anyhow::Result<Vec<(InputFile, FileRecord)>> {
    if previous.version == "bundled" {
        return Ok(lists::bundled_inputs()
            .into_iter()
            .map(|input| {
                let record = record(&input.name, &input.bytes, "bundled");
                (input, record)
            })
            .collect());
    }
    let version_dir = dir.join("versions").join(&previous.version);
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

fn report_installed(ctx: &Ctx, manifest: &Manifest, previous: &LoadedLists) -> anyhow::Result<()> {
    if ctx.json {
        output::json_line(&serde_json::json!({"type": "installed", "data": {
            "version": manifest.version,
            "previous": previous.version,
            "lists": manifest.lists,
        }}))?;
        return Ok(());
    }
    output::line(&format!(
        "lists version {} in force (was {})",
        manifest.version, previous.version
    ))?;
    for list in &manifest.lists {
        output::line(&format!(
            "  {:<14} {:<10} {:>6} entities",
            list.source,
            list.date.as_deref().unwrap_or("(no date)"),
            list.entities
        ))?;
    }
    Ok(())
}

fn write_version(
    dir: &Path,
    inputs: &[InputFile],
    files: Vec<FileRecord>,
    parsed: &[ParsedList],
) -> anyhow::Result<Manifest> {
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
    let versions = dir.join("versions");
    fs::create_dir_all(&versions).with_context(|| format!("creating {}", versions.display()))?;
    let staging = versions.join(format!(".{version}.tmp"));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging)?;
    for input in inputs {
        let file_name = Path::new(&input.name)
            .file_name()
            .context("a list file has no name")?;
        write_synced(&staging.join(file_name), &input.bytes)?;
    }
    write_synced(
        &staging.join("manifest.json"),
        &serde_json::to_vec_pretty(&manifest)?,
    )?;
    let final_dir = versions.join(&version);
    fs::rename(&staging, &final_dir)
        .with_context(|| format!("moving {} into place", final_dir.display()))?;
    let pointer = dir.join(".current.tmp");
    write_synced(&pointer, version.as_bytes())?;
    fs::rename(&pointer, dir.join("current")).context("switching to the new version")?;
    sync_dir(dir);
    Ok(manifest)
}

fn write_synced(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file =
        fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

/// Makes the renames durable (best effort: not every file system can sync a directory).
fn sync_dir(dir: &Path) {
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

fn current_manifest(dir: &Path) -> anyhow::Result<Option<Manifest>> {
    let pointer = dir.join("current");
    let mut version = String::new();
    match fs::File::open(&pointer).and_then(|f| {
        f.take(VERSION_ID_BYTES_MAX + 1)
            .read_to_string(&mut version)
    }) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", pointer.display())),
    }
    if version.len() as u64 > VERSION_ID_BYTES_MAX {
        bail!("{}: not a version id", pointer.display());
    }
    let version = version.trim().to_string();
    let path = dir.join("versions").join(&version).join("manifest.json");
    read_manifest(&path).map(Some)
}

/// Reads one `manifest.json`, within [`MANIFEST_BYTES_MAX`].
fn read_manifest(path: &Path) -> anyhow::Result<Manifest> {
    let mut text = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(MANIFEST_BYTES_MAX + 1).read_to_end(&mut text))
        .with_context(|| format!("reading {}", path.display()))?;
    if text.len() as u64 > MANIFEST_BYTES_MAX {
        bail!(
            "{}: larger than the limit of {MANIFEST_BYTES_MAX} bytes",
            path.display()
        );
    }
    serde_json::from_slice(&text).with_context(|| format!("{} is not a manifest", path.display()))
}

fn read_files(paths: &[PathBuf]) -> anyhow::Result<(Vec<InputFile>, Vec<FileRecord>)> {
    let mut inputs = Vec::with_capacity(paths.len());
    let mut records = Vec::with_capacity(paths.len());
    for path in paths {
        let mut input = read_list_file(path)?;
        input.name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        records.push(record(
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
fn read_list_file(path: &Path) -> anyhow::Result<InputFile> {
    let file = fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let meta = file
        .metadata()
        .with_context(|| format!("reading {}", path.display()))?;
    if meta.is_file() && meta.len() > LIST_FILE_BYTES_MAX {
        bail!(
            "{}: larger than the limit of {LIST_FILE_BYTES_MAX} bytes",
            path.display()
        );
    }
    Ok(InputFile::read(&path.display().to_string(), file)?)
}

fn record(name: &str, bytes: &[u8], origin: &str) -> FileRecord {
    FileRecord {
        name: name.to_string(),
        sha256: hex::encode(Sha256::digest(bytes)),
        bytes: bytes.len() as u64,
        origin: origin.to_string(),
    }
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
}
