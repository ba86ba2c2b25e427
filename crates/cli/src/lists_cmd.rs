//! `clearhouse lists update|import|status`, and loading the lists every screening command uses.
//!
//! The lists directory itself (versions, manifests, the pointer to the version in force, the
//! checks before a version is installed) is `house::list_store`, shared with the server.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::bail;
use clap::{Args, Subcommand};
use screening::Screener;

use crate::{Ctx, output};

pub use house::list_store::{FileRecord, ListStore, LoadedLists, Manifest, Source};

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
    sources: Vec<Source>,
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

/// Loads the lists (as [`load`]) and indexes them.
pub fn load_screener(explicit: &[PathBuf], dir: &Path) -> anyhow::Result<(LoadedLists, Screener)> {
    let loaded = load(explicit, dir)?;
    let screener = loaded.index()?;
    Ok((loaded, screener))
}

/// Loads `--lists` files if given, else the version in force, else the bundled lists.
pub fn load(explicit: &[PathBuf], dir: &Path) -> anyhow::Result<LoadedLists> {
    if !explicit.is_empty() {
        return Ok(house::list_store::load_files(explicit)?);
    }
    Ok(ListStore::new(dir).load()?)
}

pub fn run(ctx: &Ctx, dir: &Path, command: ListsCommand) -> anyhow::Result<ExitCode> {
    match command {
        ListsCommand::Status => status(ctx, dir),
        ListsCommand::Import {
            files,
            allow_shrink,
        } => {
            let (inputs, records) = house::list_store::read_files(&files)?;
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
        let files: Vec<&FileRecord> = loaded.files_of(list);
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
    let manifests = ListStore::new(dir).versions()?;
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

fn update(ctx: &Ctx, dir: &Path, args: &UpdateArgs) -> anyhow::Result<ExitCode> {
    let sources = house::list_store::published_sources(&args.sources)?;
    let sources = match house::list_store::select(&sources, &args.only) {
        Err(house::list_store::ListStoreError::UnknownSource { name, .. }) => {
            bail!("--only {name}: no such source (see --list-sources)")
        }
        other => other?,
    };
    if args.list_sources {
        for source in &sources {
            output::line(&format!("{}\t{}", source.name, source.url))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (inputs, records) = house::list_store::download(&sources, None)?;
    install(ctx, dir, inputs, records, args.allow_shrink)
}

/// Makes a new version (see [`ListStore::install`]), reports it and rescreens the house.
fn install(
    ctx: &Ctx,
    dir: &Path,
    inputs: Vec<screening::lists::InputFile>,
    records: Vec<FileRecord>,
    allow_shrink: bool,
) -> anyhow::Result<ExitCode> {
    let installed = match ListStore::new(dir).install(inputs, records, allow_shrink) {
        Err(house::list_store::ListStoreError::Shrink(message)) => bail!(
            "{message}; nothing was changed, the lists in force stay (pass --allow-shrink if the \
             list really shrank)"
        ),
        other => other?,
    };
    report_installed(ctx, &installed.manifest, &installed.previous)?;
    rescreen_house(ctx, installed.lists())
}

/// After a list update: if the database holds a clearing house, rescreens every participant,
/// owner, director and open claim against the new lists; new hits open alerts and suspend the
/// participant (or hold the claim) until reviewed. Exit 1 when something new was found.
fn rescreen_house(ctx: &Ctx, lists: house::Lists) -> anyhow::Result<ExitCode> {
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
    let h = crate::house_cmd::open(ctx, false)?;
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

fn report_installed(ctx: &Ctx, manifest: &Manifest, previous: &str) -> anyhow::Result<()> {
    if ctx.json {
        output::json_line(&serde_json::json!({"type": "installed", "data": {
            "version": manifest.version,
            "previous": previous,
            "lists": manifest.lists,
        }}))?;
        return Ok(());
    }
    output::line(&format!(
        "lists version {} in force (was {})",
        manifest.version, previous
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
