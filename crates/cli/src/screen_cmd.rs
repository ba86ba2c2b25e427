//! `clearhouse screen name|batch|compare`: sanctions screening.
//!
//! Exit codes: 0 no match at or above the threshold, 1 a match, 2 an error (for `batch`: a row
//! that could not be screened; every other row is still written).

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use rayon::prelude::*;
use screening::entity::PartialDate;
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

/// A schema as given on the command line or in a batch column: ours or FollowTheMoney's
/// (`Person`, `Company`, `Organization`, `PublicBody`, `LegalEntity`, `Vessel`, `Airplane`), any
/// case, or `any` / `Thing` (the inner `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaArg(Option<Schema>);

impl SchemaArg {
    fn schema(self) -> Option<Schema> {
        self.0
    }
}

/// Parses a schema name (see [`SchemaArg`]) with the screening crate's one parser; the error
/// says what is accepted.
fn parse_schema(text: &str) -> Result<SchemaArg, String> {
    screening::entity::parse_schema_or_any(text)
        .map(SchemaArg)
        .map_err(|e| format!("{e}, or any (Thing)"))
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
        /// The name to screen, in any script and order ("LAST, First" too).
        name: String,
        /// person, organization, vessel, aircraft or any; FollowTheMoney names (Company,
        /// PublicBody, LegalEntity, Airplane, Thing for any, …) in any case too.
        #[arg(long, value_parser = parse_schema, default_value = "any")]
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
        /// The CSV file of names to screen.
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
        /// The first name.
        name_a: Option<String>,
        /// The second name.
        name_b: Option<String>,
        /// As for `screen name`.
        #[arg(long, value_parser = parse_schema, default_value = "any")]
        schema: SchemaArg,
        /// A CSV file of pairs (`name1,name2[,schema]`) instead of two names: one JSON line each.
        #[arg(long, conflicts_with_all = ["name_a", "name_b"])]
        pairs: Option<PathBuf>,
        /// A pair scoring at least this (0 to 1) is a match.
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
    let birth_date = match birth_date.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => {
            let date = parse_partial_date(text).ok_or_else(|| {
                format!("birth date {text:?}: expected a real date, YYYY, YYYY-MM or YYYY-MM-DD")
            })?;
            if in_future(date, today()) {
                return Err(format!("birth date {text:?}: in the future"));
            }
            Some(date)
        }
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
    /// Line in the input file where the row starts, for errors.
    line: u64,
    id: Option<String>,
    query: Result<Query, String>,
    name: Option<String>,
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
    let rows = read_batch(input, today())?;
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
                    error_line(row, &error)
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

/// The output line of a row that could not be screened: `{"id"?, "line", "query"?, "matches":
/// [], "error"}` (id and query when the row had them).
fn error_line(row: &Row, error: &str) -> serde_json::Value {
    let mut line = serde_json::json!({"line": row.line, "matches": [], "error": error});
    if let Some(id) = &row.id {
        line["id"] = serde_json::Value::from(id.as_str());
    }
    if let Some(name) = &row.name {
        line["query"] = serde_json::Value::from(name.as_str());
    }
    line
}

/// Largest batch or pairs file read, in bytes (10 million rows of ~100 bytes).
pub const BATCH_FILE_BYTES_MAX: u64 = 1024 * 1024 * 1024;
/// Longest line of a batch or pairs file, in bytes: a name is at most
/// [`screening::normalize::NAME_CHARS_MAX`] characters, so a longer line is not a row of names.
pub const BATCH_LINE_BYTES_MAX: u64 = 64 * 1024;

/// A reader that fails once a file grows past [`BATCH_FILE_BYTES_MAX`] or a line past
/// [`BATCH_LINE_BYTES_MAX`]: the CSV reader buffers a whole row, so `/dev/zero` would otherwise
/// grow one row until memory runs out.
struct Bounded<R> {
    inner: R,
    total: u64,
    line: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        let chunk = &buf[..read];
        self.total += read as u64;
        self.line = match chunk.iter().rposition(|&b| b == b'\n') {
            Some(end) => (read - end - 1) as u64,
            None => self.line + read as u64,
        };
        if self.total > BATCH_FILE_BYTES_MAX {
            return Err(std::io::Error::other(format!(
                "larger than the limit of {BATCH_FILE_BYTES_MAX} bytes"
            )));
        }
        if self.line > BATCH_LINE_BYTES_MAX {
            return Err(std::io::Error::other(format!(
                "a line longer than the limit of {BATCH_LINE_BYTES_MAX} bytes"
            )));
        }
        Ok(read)
    }
}

/// A CSV file of rows, read within the limits above; records are bytes, so that a row that is
/// not UTF-8 is an error of that row alone.
fn csv_reader(path: &Path) -> anyhow::Result<csv::Reader<Bounded<File>>> {
    let file = File::open(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(csv::ReaderBuilder::new()
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(Bounded {
            inner: file,
            total: 0,
            line: 0,
        }))
}

/// The header's column names, which must be UTF-8.
fn csv_header(reader: &mut csv::Reader<Bounded<File>>, path: &Path) -> anyhow::Result<Vec<String>> {
    let header = reader
        .byte_headers()
        .with_context(|| format!("{}: reading the header", path.display()))?;
    header
        .iter()
        .map(|h| {
            std::str::from_utf8(h)
                .map(|h| h.trim().to_owned())
                .map_err(|_| anyhow::anyhow!("{}: the header is not UTF-8", path.display()))
        })
        .collect()
}

/// The next record, or a file-level error naming the file and where it stopped.
fn next_record(
    reader: &mut csv::Reader<Bounded<File>>,
    record: &mut csv::ByteRecord,
    path: &Path,
) -> anyhow::Result<bool> {
    let line = reader.position().line();
    reader
        .read_byte_record(record)
        .with_context(|| format!("{}: line {line}", path.display()))
}

/// The fields of a record as text; the error says which field is not UTF-8 or that the row has
/// another number of fields than the header.
fn record_fields<'r>(
    record: &'r csv::ByteRecord,
    header: &[String],
) -> Result<Vec<&'r str>, String> {
    if record.len() != header.len() {
        return Err(format!(
            "{} fields where the header has {}",
            record.len(),
            header.len()
        ));
    }
    record
        .iter()
        .zip(header)
        .map(|(field, column)| {
            std::str::from_utf8(field)
                .map(str::trim)
                .map_err(|_| format!("{column}: not valid UTF-8"))
        })
        .collect()
}

/// Reads the whole batch first: a file that is not CSV, lacks a name column or passes a limit
/// fails before any output; a bad row (wrong number of fields, not UTF-8, an unknown schema)
/// becomes an error line of its own and does not stop the others.
fn read_batch(input: &Path, today: PartialDate) -> anyhow::Result<Vec<Row>> {
    let mut reader = csv_reader(input)?;
    let headers = csv_header(&mut reader, input)?;
    let column = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
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
    let mut record = csv::ByteRecord::new();
    while next_record(&mut reader, &mut record, input)? {
        if rows.len() >= BATCH_ROWS_MAX {
            bail!("{}: more than {BATCH_ROWS_MAX} rows", input.display());
        }
        let line = record.position().map_or(0, csv::Position::line);
        let default_id = (rows.len() + 1).to_string();
        let row = match record_fields(&record, &headers) {
            Ok(fields) => {
                let field =
                    |col: Option<usize>| col.and_then(|c| fields.get(c)).copied().unwrap_or("");
                let id = match field(id_col) {
                    "" => default_id,
                    id => id.to_string(),
                };
                let name = field(Some(name_col)).to_string();
                let parsed = row_query(
                    &name,
                    field(schema_col),
                    field(date_col),
                    field(country_col),
                    today,
                );
                let (query, warning) = match parsed {
                    Ok((query, warning)) => {
                        (Ok(query), warning.map(|w| format!("line {line}, {w}")))
                    }
                    Err(e) => (Err(format!("line {line}, {e}")), None),
                };
                Row {
                    line,
                    id: Some(id),
                    query,
                    name: Some(name),
                    warning,
                }
            }
            Err(e) => {
                // The id, if that field at least can be read.
                let id = id_col
                    .and_then(|c| record.get(c))
                    .and_then(|f| std::str::from_utf8(f).ok())
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map_or(default_id, str::to_owned);
                Row {
                    line,
                    id: Some(id),
                    query: Err(format!("line {line}, {e}")),
                    name: None,
                    warning: None,
                }
            }
        };
        rows.push(row);
    }
    Ok(rows)
}

fn row_query(
    name: &str,
    schema: &str,
    date: &str,
    country: &str,
    today: PartialDate,
) -> Result<(Query, Option<String>), String> {
    let schema = if schema.is_empty() {
        None
    } else {
        parse_schema(schema)?.schema()
    };
    let (birth_date, warning) = lenient_date(date, today);
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

/// Today's date (UTC), which a birth date cannot be after.
fn today() -> PartialDate {
    let date = model::calendar::utc_date(crate::system_clock()());
    PartialDate {
        year: date.year(),
        month: Some(date.month()),
        day: Some(date.day()),
    }
}

/// Whether a (possibly partial) date lies after `today`: a year or month is after it only when
/// all of it is.
fn in_future(date: PartialDate, today: PartialDate) -> bool {
    (date.year, date.month.unwrap_or(1), date.day.unwrap_or(1))
        > (
            today.year,
            today.month.unwrap_or(12),
            today.day.unwrap_or(31),
        )
}

/// A batch's birth date is a qualifier, not the name: an impossible date ("1968-13-30",
/// "1939-02-30") keeps its year if it has one, with a warning on the row, rather than losing the
/// row; a date in the future is not used, with a warning.
fn lenient_date(text: &str, today: PartialDate) -> (Option<PartialDate>, Option<String>) {
    if text.is_empty() {
        return (None, None);
    }
    let (date, warning) = match parse_partial_date(text) {
        Some(date) => (Some(date), None),
        None => {
            let year = text.get(..4).and_then(parse_partial_date);
            let warning = match year {
                Some(y) => format!(
                    "birth_date {text:?}: not a valid date; the year {} was used",
                    y.year
                ),
                None => format!(
                    "birth_date {text:?}: not a date (YYYY, YYYY-MM or YYYY-MM-DD); ignored"
                ),
            };
            (year, Some(warning))
        }
    };
    match date {
        Some(d) if in_future(d, today) => (
            None,
            Some(format!("birth_date {text:?}: in the future; ignored")),
        ),
        _ => (date, warning),
    }
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

/// Scores every pair of a CSV file (`name1,name2[,schema]`), one JSON line each in input order;
/// a pair that cannot be scored gets `{"line", "name1"?, "name2"?, "error"}` and the others are
/// still scored. Exit 2 if any pair had an error, else 0.
fn compare_pairs(path: &Path, threshold: f64) -> anyhow::Result<ExitCode> {
    let mut reader = csv_reader(path)?;
    let headers = csv_header(&mut reader, path)?;
    let position = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(c1), Some(c2)) = (position("name1"), position("name2")) else {
        bail!(
            "{}: the header needs `name1` and `name2` columns",
            path.display()
        );
    };
    let schema_col = position("schema");
    let groups = Arc::new(NameGroups::parse(screening::groups::BUNDLED));
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut record = csv::ByteRecord::new();
    let (mut pairs, mut errors) = (0usize, 0usize);
    while next_record(&mut reader, &mut record, path)? {
        pairs += 1;
        if pairs > BATCH_ROWS_MAX {
            bail!("{}: more than {BATCH_ROWS_MAX} rows", path.display());
        }
        let line = record.position().map_or(0, csv::Position::line);
        let json = match record_fields(&record, &headers) {
            Ok(fields) => {
                let (a, b) = (fields[c1], fields[c2]);
                let scored = schema_col
                    .map_or(Ok(SchemaArg(None)), |c| match fields[c] {
                        "" => Ok(SchemaArg(None)),
                        s => parse_schema(s),
                    })
                    .and_then(|schema| {
                        screening::compare(a, b, schema.schema(), groups.clone())
                            .map_err(|e| e.to_string())
                    });
                match scored {
                    Ok((score, _)) => serde_json::json!({
                        "name1": a, "name2": b, "score": score, "match": score >= threshold,
                    }),
                    Err(e) => {
                        errors += 1;
                        serde_json::json!({"line": line, "name1": a, "name2": b, "error": format!("line {line}, {e}")})
                    }
                }
            }
            Err(e) => {
                errors += 1;
                serde_json::json!({"line": line, "error": format!("line {line}, {e}")})
            }
        };
        serde_json::to_writer(&mut out, &json)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    if errors > 0 {
        eprintln!(
            "clearhouse: {errors} of {pairs} pairs could not be scored (see their \"error\")"
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// CSV of names (header with `name` or `full_name`, as for `screen batch`).
    #[arg(long)]
    input: PathBuf,
    /// Count matches scoring at least this (0 to 1).
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: f64,
    /// List files instead of the lists in force.
    #[arg(long, num_args = 1..)]
    lists: Vec<PathBuf>,
}

/// `clearhouse benchmark screening`: what a caller of the library sees.
pub fn benchmark(ctx: &Ctx, args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let lists_dir = ctx.lists_dir.as_path();
    let rows = read_batch(&args.input, today())?;
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
