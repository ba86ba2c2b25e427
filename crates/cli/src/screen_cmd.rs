//! `clearhouse screen name|batch|compare`: sanctions screening.
//!
//! Exit codes: 0 no match at or above the threshold, 1 a match, 2 an error (for `batch`: a row
//! that could not be screened; every other row is still written).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use rayon::prelude::*;
use screening::groups::NameGroups;
use screening::score::QueryFacts;
use screening::screener::parse_partial_date;
use screening::{DEFAULT_LIMIT, DEFAULT_THRESHOLD, Match, Query, Schema, Scratch, Screener};

use crate::lists_cmd::{self, LoadedLists};
use crate::{Ctx, output};

/// Most rows in one batch file.
pub const BATCH_ROWS_MAX: usize = 10_000_000;
/// Rows screened between two progress updates / output flushes.
const BATCH_CHUNK: usize = 4_096;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SchemaArg {
    Person,
    Organization,
    Vessel,
    Aircraft,
    Any,
}

impl SchemaArg {
    fn schema(self) -> Option<Schema> {
        match self {
            SchemaArg::Person => Some(Schema::Person),
            SchemaArg::Organization => Some(Schema::Organization),
            SchemaArg::Vessel => Some(Schema::Vessel),
            SchemaArg::Aircraft => Some(Schema::Aircraft),
            SchemaArg::Any => None,
        }
    }
}

fn parse_schema(text: &str) -> Option<Option<Schema>> {
    SchemaArg::from_str(text.trim(), true)
        .ok()
        .map(SchemaArg::schema)
}

#[derive(Debug, Args)]
pub struct ListsArgs {
    /// List files to screen against instead of the lists in force (bundled by default).
    #[arg(long, num_args = 1..)]
    lists: Vec<PathBuf>,
    /// Report matches scoring at least this (0 to 1).
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: f64,
    /// At most this many matches per name.
    #[arg(long, default_value_t = DEFAULT_LIMIT)]
    limit: usize,
}

#[derive(Debug, Subcommand)]
pub enum ScreenCommand {
    /// Screen one name.
    Name {
        name: String,
        #[arg(long, value_enum, default_value = "any")]
        schema: SchemaArg,
        /// YYYY, YYYY-MM or YYYY-MM-DD.
        #[arg(long)]
        birth_date: Option<String>,
        /// Nationality or country, ISO 3166 alpha-2 (or a country name).
        #[arg(long)]
        country: Option<String>,
        /// An identity document or registration number (a match is decisive).
        #[arg(long)]
        identifier: Vec<String>,
        #[command(flatten)]
        lists: ListsArgs,
    },
    /// Screen every row of a CSV file (header with `name` or `full_name`; optional `id`,
    /// `schema`, `birth_date`/`date_of_birth`, `country`/`nationality`): one JSON line per row.
    Batch {
        #[arg(long)]
        input: PathBuf,
        /// Where to write the JSON lines (default: stdout).
        #[arg(long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        lists: ListsArgs,
    },
    /// Score two names against each other, or every pair of a CSV file (`name1,name2[,schema]`).
    Compare {
        name_a: Option<String>,
        name_b: Option<String>,
        #[arg(long, value_enum, default_value = "any")]
        schema: SchemaArg,
        #[arg(long, conflicts_with_all = ["name_a", "name_b"])]
        pairs: Option<PathBuf>,
        #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
        threshold: f64,
    },
}

pub fn run(ctx: &Ctx, lists_dir: &Path, command: ScreenCommand) -> anyhow::Result<ExitCode> {
    match command {
        ScreenCommand::Name {
            name,
            schema,
            birth_date,
            country,
            identifier,
            lists,
        } => {
            check_lists_args(&lists)?;
            let facts = facts(birth_date.as_deref(), country.as_deref(), identifier)
                .map_err(|e| anyhow::anyhow!(e))?;
            let query = Query {
                name,
                schema: schema.schema(),
                facts,
            };
            screen_name(ctx, lists_dir, &query, &lists)
        }
        ScreenCommand::Batch {
            input,
            output,
            lists,
        } => {
            check_lists_args(&lists)?;
            batch(ctx, lists_dir, &input, output.as_deref(), &lists)
        }
        ScreenCommand::Compare {
            name_a,
            name_b,
            schema,
            pairs,
            threshold,
        } => match (pairs, name_a, name_b) {
            (Some(pairs), _, _) => compare_pairs(&pairs, threshold),
            (None, Some(a), Some(b)) => compare_one(ctx, &a, &b, schema.schema(), threshold),
            _ => bail!("compare needs two names, or --pairs FILE.csv"),
        },
    }
}

fn check_lists_args(lists: &ListsArgs) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&lists.threshold) {
        bail!("--threshold {}: must be between 0 and 1", lists.threshold);
    }
    if lists.limit == 0 || lists.limit > screening::screener::LIMIT_MAX {
        bail!(
            "--limit {}: must be between 1 and {}",
            lists.limit,
            screening::screener::LIMIT_MAX
        );
    }
    Ok(())
}

/// Parses the qualifiers of a query; the error names the field.
fn facts(
    birth_date: Option<&str>,
    country: Option<&str>,
    identifiers: Vec<String>,
) -> Result<QueryFacts, String> {
    let birth_date =
        match birth_date.map(str::trim).filter(|s| !s.is_empty()) {
            Some(text) => Some(parse_partial_date(text).ok_or_else(|| {
                format!("birth date {text:?}: expected YYYY, YYYY-MM or YYYY-MM-DD")
            })?),
            None => None,
        };
    let countries = match country.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => vec![country_code(text).ok_or_else(|| {
            format!("country {text:?}: not an ISO 3166 alpha-2 code or a known country name")
        })?],
        None => Vec::new(),
    };
    Ok(QueryFacts {
        birth_date,
        countries,
        identifiers,
    })
}

fn country_code(text: &str) -> Option<String> {
    if text.len() == 2 && text.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Some(text.to_ascii_uppercase());
    }
    screening::lists::countries::to_iso2(text).map(str::to_string)
}

fn load(ctx: &Ctx, lists_dir: &Path, lists: &ListsArgs) -> anyhow::Result<(LoadedLists, Screener)> {
    let (loaded, screener) = lists_cmd::load_screener(&lists.lists, lists_dir)?;
    if !ctx.json {
        tracing::info!(version = %loaded.version, entities = screener.entities().len(), "lists loaded");
    }
    Ok((loaded, screener))
}

fn screen_name(
    ctx: &Ctx,
    lists_dir: &Path,
    query: &Query,
    lists: &ListsArgs,
) -> anyhow::Result<ExitCode> {
    let (_, screener) = load(ctx, lists_dir, lists)?;
    let matches = screener
        .screen(query, lists.threshold, lists.limit, &mut Scratch::default())
        .map_err(|e| anyhow::anyhow!("name: {e}"))?;
    if ctx.json {
        output::json_line(&serde_json::json!({
            "query": query.name,
            "threshold": lists.threshold,
            "matches": matches,
        }))?;
    } else if matches.is_empty() {
        output::line(&format!(
            "no match at or above {} for {:?}",
            lists.threshold, query.name
        ))?;
    } else {
        for m in &matches {
            print_match(m)?;
        }
    }
    Ok(exit_for(!matches.is_empty()))
}

fn exit_for(hit: bool) -> ExitCode {
    if hit {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_match(m: &Match) -> std::io::Result<()> {
    output::line(&format!(
        "{:.3}  {}  {}  [{}, {}]",
        m.score, m.entity_id, m.caption, m.schema, m.list
    ))?;
    let e = &m.explanation;
    output::line(&format!(
        "       name {:?} ({} name), name score {:.3}",
        e.matched_name, e.name_strength, e.name_score
    ))?;
    for part in &e.parts {
        let how = part
            .how
            .map(|h| format!("{h:?}").to_lowercase())
            .unwrap_or_else(|| "missing".to_string());
        let distance = part
            .distance
            .map(|d| format!(" distance {d}"))
            .unwrap_or_default();
        output::line(&format!(
            "       {:<20} ~ {:<20} {how}{distance} (similarity {:.2}, weight {:.2})",
            part.query.as_deref().unwrap_or("-"),
            part.listed.as_deref().unwrap_or("-"),
            part.similarity,
            part.weight
        ))?;
    }
    if !e.ignored.is_empty() {
        output::line(&format!("       ignored: {}", e.ignored.join(", ")))?;
    }
    for q in &e.qualifiers {
        output::line(&format!(
            "       {}: {} vs listed {}: {} ({:+.2})",
            q.field, q.query, q.listed, q.note, q.effect
        ))?;
    }
    Ok(())
}

/// One input row of a batch.
struct Row {
    /// Line in the input file, for errors.
    line: usize,
    id: String,
    query: Result<Query, String>,
    name: String,
    /// Something in the row that was not used, said on the output line.
    warning: Option<String>,
}

fn batch(
    ctx: &Ctx,
    lists_dir: &Path,
    input: &Path,
    output_path: Option<&Path>,
    lists: &ListsArgs,
) -> anyhow::Result<ExitCode> {
    let rows = read_batch(input)?;
    let (_, screener) = load(ctx, lists_dir, lists)?;
    let mut out: Box<dyn Write> = match output_path {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let progress = output::progress(ctx, rows.len() as u64, "names");
    let (mut hits, mut errors) = (0usize, 0usize);
    for chunk in rows.chunks(BATCH_CHUNK) {
        let results: Vec<Result<Vec<Match>, String>> = chunk
            .par_iter()
            .map_init(Scratch::default, |scratch, row| {
                let query = row.query.as_ref().map_err(Clone::clone)?;
                screener
                    .screen(query, lists.threshold, lists.limit, scratch)
                    .map_err(|e| format!("line {}, name: {e}", row.line))
            })
            .collect();
        for (row, result) in chunk.iter().zip(results) {
            let line = match result {
                Ok(matches) => {
                    hits += usize::from(!matches.is_empty());
                    let mut line =
                        serde_json::json!({"id": row.id, "query": row.name, "matches": matches});
                    if let Some(warning) = &row.warning {
                        line["warning"] = serde_json::Value::from(warning.as_str());
                    }
                    line
                }
                Err(error) => {
                    errors += 1;
                    serde_json::json!({"id": row.id, "query": row.name, "matches": [], "error": error})
                }
            };
            serde_json::to_writer(&mut out, &line)?;
            out.write_all(b"\n")?;
        }
        progress.inc(chunk.len() as u64);
    }
    out.flush()?;
    progress.finish_and_clear();
    if errors > 0 {
        eprintln!(
            "clearhouse: {errors} of {} rows could not be screened (see their \"error\")",
            rows.len()
        );
        return Ok(ExitCode::from(2));
    }
    Ok(exit_for(hits > 0))
}

/// Reads the whole batch first: a file that is not CSV, or lacks a name column, fails before any
/// output; a bad row becomes an error line of its own and does not stop the others.
fn read_batch(input: &Path) -> anyhow::Result<Vec<Row>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(input)
        .with_context(|| format!("reading {}", input.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: reading the header", input.display()))?
        .clone();
    let column = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let Some(name_col) = column(&["name", "full_name"]) else {
        bail!(
            "{}: the header has no `name` or `full_name` column",
            input.display()
        );
    };
    let id_col = column(&["id"]);
    let schema_col = column(&["schema"]);
    let date_col = column(&["birth_date", "date_of_birth"]);
    let country_col = column(&["country", "nationality"]);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        if rows.len() >= BATCH_ROWS_MAX {
            bail!("{}: more than {BATCH_ROWS_MAX} rows", input.display());
        }
        let record = record.with_context(|| format!("{} line {line}", input.display()))?;
        let field = |col: Option<usize>| col.and_then(|c| record.get(c)).unwrap_or("").trim();
        let id = match field(id_col) {
            "" => (i + 1).to_string(),
            id => id.to_string(),
        };
        let name = field(Some(name_col)).to_string();
        let parsed = row_query(
            &name,
            field(schema_col),
            field(date_col),
            field(country_col),
        )
        .map_err(|e| format!("line {line}, {e}"));
        let (query, warning) = match parsed {
            Ok((query, warning)) => (Ok(query), warning.map(|w| format!("line {line}, {w}"))),
            Err(e) => (Err(e), None),
        };
        rows.push(Row {
            line,
            id,
            query,
            name,
            warning,
        });
    }
    Ok(rows)
}

fn row_query(
    name: &str,
    schema: &str,
    date: &str,
    country: &str,
) -> Result<(Query, Option<String>), String> {
    let schema = if schema.is_empty() {
        None
    } else {
        parse_schema(schema).ok_or_else(|| {
            format!("schema {schema:?}: expected person, organization, vessel, aircraft or any")
        })?
    };
    let (birth_date, warning) = lenient_date(date);
    let query = Query {
        name: name.to_string(),
        schema,
        facts: QueryFacts {
            birth_date,
            countries: country_code_lenient(country).into_iter().collect(),
            identifiers: Vec::new(),
        },
    };
    Ok((query, warning))
}

/// A batch's birth date is a qualifier, not the name: an impossible date ("1968-13-30") keeps
/// its year if it has one, with a warning on the row, rather than losing the row.
fn lenient_date(text: &str) -> (Option<screening::entity::PartialDate>, Option<String>) {
    if text.is_empty() {
        return (None, None);
    }
    if let Some(date) = parse_partial_date(text) {
        return (Some(date), None);
    }
    let year = text.get(..4).and_then(parse_partial_date);
    let warning = match year {
        Some(y) => format!(
            "birth_date {text:?}: not a valid date; the year {} was used",
            y.year
        ),
        None => format!("birth_date {text:?}: not a date (YYYY, YYYY-MM or YYYY-MM-DD); ignored"),
    };
    (year, Some(warning))
}

/// A country column in a batch is a hint: an unknown value is ignored rather than failing the row.
fn country_code_lenient(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| country_code(text)).flatten()
}

fn compare_one(
    ctx: &Ctx,
    a: &str,
    b: &str,
    schema: Option<Schema>,
    threshold: f64,
) -> anyhow::Result<ExitCode> {
    let groups = Arc::new(NameGroups::parse(screening::groups::BUNDLED));
    let (score, explanation) =
        screening::compare(a, b, schema, groups).map_err(|e| anyhow::anyhow!("{e}"))?;
    let matched = score >= threshold;
    if ctx.json {
        output::json_line(&serde_json::json!({
            "name1": a, "name2": b, "score": score, "match": matched, "explanation": explanation,
        }))?;
    } else {
        output::line(&format!(
            "{score:.3}  {}  {a:?} ~ {b:?}",
            if matched { "match" } else { "no match" }
        ))?;
        for part in &explanation.parts {
            output::line(&format!(
                "       {:<20} ~ {:<20} {}",
                part.query.as_deref().unwrap_or("-"),
                part.listed.as_deref().unwrap_or("-"),
                part.how
                    .map(|h| format!("{h:?}").to_lowercase())
                    .unwrap_or_else(|| "missing".into())
            ))?;
        }
    }
    Ok(exit_for(matched))
}

fn compare_pairs(path: &Path, threshold: f64) -> anyhow::Result<ExitCode> {
    let groups = Arc::new(NameGroups::parse(screening::groups::BUNDLED));
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .comment(Some(b'#'))
        .from_path(path)
        .with_context(|| format!("reading {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let position = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(c1), Some(c2)) = (position("name1"), position("name2")) else {
        bail!(
            "{}: the header needs `name1` and `name2` columns",
            path.display()
        );
    };
    let schema_col = position("schema");
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.with_context(|| format!("{} line {line}", path.display()))?;
        let (a, b) = (record.get(c1).unwrap_or(""), record.get(c2).unwrap_or(""));
        let schema = match schema_col.and_then(|c| record.get(c)).map(str::trim) {
            None | Some("") => None,
            Some(s) => parse_schema(s).with_context(|| {
                format!("{} line {line}, schema {s:?}: unknown", path.display())
            })?,
        };
        let (score, _) = screening::compare(a, b, schema, groups.clone())
            .map_err(|e| anyhow::anyhow!("{} line {line}: {e}", path.display()))?;
        let json = serde_json::json!({"name1": a, "name2": b, "score": score, "match": score >= threshold});
        serde_json::to_writer(&mut out, &json)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// CSV of names (header with `name` or `full_name`, as for `screen batch`).
    #[arg(long)]
    input: PathBuf,
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: f64,
    /// List files instead of the lists in force.
    #[arg(long, num_args = 1..)]
    lists: Vec<PathBuf>,
}

/// `clearhouse benchmark screening`: what a caller of the library sees.
pub fn benchmark(ctx: &Ctx, args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let lists_dir = ctx.lists_dir.as_path();
    let rows = read_batch(&args.input)?;
    let queries: Vec<&Query> = rows.iter().filter_map(|r| r.query.as_ref().ok()).collect();
    if queries.is_empty() {
        bail!("{}: no row with a name to screen", args.input.display());
    }
    let started = std::time::Instant::now();
    let (_, screener) = lists_cmd::load_screener(&args.lists, lists_dir)?;
    let load = started.elapsed();

    let mut scratch = Scratch::default();
    let mut latencies: Vec<std::time::Duration> = Vec::with_capacity(queries.len());
    for query in &queries {
        let one = std::time::Instant::now();
        let _ = screener.screen(query, args.threshold, DEFAULT_LIMIT, &mut scratch);
        latencies.push(one.elapsed());
    }
    latencies.sort_unstable();
    let percentile = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];

    let batch_started = std::time::Instant::now();
    let hits: usize = queries
        .par_iter()
        .map_init(Scratch::default, |scratch, q| {
            screener
                .screen(q, args.threshold, DEFAULT_LIMIT, scratch)
                .map_or(0, |m| usize::from(!m.is_empty()))
        })
        .sum();
    let batch = batch_started.elapsed();
    let per_second = queries.len() as f64 / batch.as_secs_f64();
    let report = serde_json::json!({
        "queries": queries.len(),
        "hits": hits,
        "entities": screener.entities().len(),
        "load_ms": load.as_secs_f64() * 1e3,
        "single_p50_us": percentile(50).as_secs_f64() * 1e6,
        "single_p99_us": percentile(99).as_secs_f64() * 1e6,
        "single_max_us": latencies[latencies.len() - 1].as_secs_f64() * 1e6,
        "batch_queries_per_second": per_second,
        "threads": rayon::current_num_threads(),
    });
    if ctx.json {
        output::json_line(&report)?;
    } else {
        output::line(&format!(
            "{} queries against {} entities; lists loaded and indexed in {:.2} s",
            queries.len(),
            screener.entities().len(),
            load.as_secs_f64()
        ))?;
        output::line(&format!(
            "one at a time (1 thread): p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
            percentile(50).as_secs_f64() * 1e6,
            percentile(99).as_secs_f64() * 1e6,
            latencies[latencies.len() - 1].as_secs_f64() * 1e6
        ))?;
        output::line(&format!(
            "batch ({} threads): {per_second:.0} queries/s; {hits} names with a match",
            rayon::current_num_threads()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
