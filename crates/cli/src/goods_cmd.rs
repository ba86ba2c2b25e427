//! `clearhouse goods …`: the HS nomenclature, and goods lines checked against the
//! export-control policy and the reference price bands.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use clap::Subcommand;
use goods::{
    Checker, Classification, CodeQuery, CsvError, Decision, Line, LineReader, Nomenclature, Policy,
    PolicyError, PriceHistory, Reason, Verdict,
};
use serde::Serialize;
use serde_json::json;

use crate::Ctx;

const CHECK_HELP: &str = "\
Input columns (a header line names them, in any order):
  id,hs_code,description,quantity,unit,value,currency[,origin,destination]
  value: the line's total invoice value, a decimal string in the currency (\"1200.50\")
  unit: a UN/CEFACT code (KGM, LTR, C62, NAR, PR, …) or a WCO short form (kg, l, u, 2u, m2, …)
  origin, destination: ISO 3166 alpha-2 codes, both or neither

Reference prices (--prices) columns:
  hs6,origin,destination,unit,unit_value_minor,currency[,date]

Output: one result per input line, in order; with --json one JSON object per line:
  {\"id\", \"verdict\": \"allow\"|\"hold\"|\"block\", \"reasons\": [{\"code\", \"message\", \"basis\"}], \"price\": {…}}
The verdict is the most severe of the reasons (block > hold > allow); among policy rules the
most specific code wins. A bad input line stops the run with an error naming its line and field;
the lines before it have been checked and printed.

Exit codes: 0 every line allowed; 1 at least one line held or blocked; 2 an error (bad input,
bad policy or price file).";

#[derive(Debug, Subcommand)]
pub enum GoodsCommand {
    /// Show an HS code: its section, chapter, heading and subheading with their descriptions,
    /// the codes below it, and what the policy says about it (exit 2 if it does not exist).
    Show {
        /// A 2-, 4- or 6-digit code: 85, 8542, 854231, 8542.31.
        code: String,
        /// Policy file (TOML); the bundled default policy if absent.
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Check goods lines from CSV against the export-control policy and the price bands.
    #[command(after_help = CHECK_HELP)]
    Check {
        /// CSV of goods lines; `-` for standard input.
        #[arg(long)]
        input: PathBuf,
        /// Policy file (TOML); the bundled default policy if absent.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// CSV of reference unit values; without it, prices are not checked.
        #[arg(long)]
        prices: Option<PathBuf>,
    },
    /// Print the bundled default policy, to start a policy file from.
    DefaultPolicy,
}

pub fn run(ctx: &Ctx, cmd: GoodsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        GoodsCommand::Show { code, policy } => show(ctx, &code, policy.as_deref()),
        GoodsCommand::Check {
            input,
            policy,
            prices,
        } => check(ctx, &input, policy.as_deref(), prices.as_deref()),
        GoodsCommand::DefaultPolicy => {
            std::io::stdout()
                .lock()
                .write_all(Policy::bundled_text().as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn load_policy(path: Option<&Path>, nomenclature: &Nomenclature) -> anyhow::Result<Policy> {
    let Some(path) = path else {
        return Policy::bundled(nomenclature).map_err(|e| anyhow!("the bundled policy: {e}"));
    };
    let mut text = String::new();
    File::open(path)
        .with_context(|| format!("opening {}", path.display()))?
        .take(goods::POLICY_BYTES_MAX as u64 + 1)
        .read_to_string(&mut text)
        .with_context(|| format!("reading {} (it must be UTF-8)", path.display()))?;
    Policy::parse(&text, nomenclature).map_err(|e| policy_error(path, &e))
}

/// `policy.toml line 14, column 11, key rules[3].verdict: …`.
fn policy_error(path: &Path, error: &PolicyError) -> anyhow::Error {
    let separator = if error.line.is_some() { " " } else { ": " };
    anyhow!("{}{separator}{error}", path.display())
}

/// `lines.csv line 7, field quantity: …`: the path instead of the crate's name for the file.
fn csv_error(path: &Path, error: &CsvError) -> String {
    let mut text = path.display().to_string();
    if let Some(line) = error.line {
        text += &format!(" line {line}");
    }
    if let Some(field) = error.field {
        text += &format!(
            "{} field {field}",
            if error.line.is_some() { "," } else { "" }
        );
    }
    format!("{text}: {}", error.message)
}

fn open_input(path: &Path) -> anyhow::Result<Box<dyn Read>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    Ok(Box::new(BufReader::new(file)))
}

fn check(
    ctx: &Ctx,
    input: &Path,
    policy: Option<&Path>,
    prices: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let nomenclature = Nomenclature::bundled().context("the bundled nomenclature")?;
    let policy = load_policy(policy, &nomenclature)?;
    let bands = match prices {
        None => None,
        Some(path) => {
            let mut history = PriceHistory::new();
            history
                .read_csv(open_input(path)?, &nomenclature)
                .map_err(|e| anyhow!(csv_error(path, &e)))?;
            Some(history.bands(policy.band_settings()))
        }
    };
    let checker = Checker::new(nomenclature, policy, bands)?;
    let reader = LineReader::new(open_input(input)?, checker.nomenclature())
        .map_err(|e| anyhow!(csv_error(input, &e)))?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    if !ctx.json {
        writeln!(out, "{:<20} {:<6} {:<8} description", "id", "verdict", "hs")?;
    }
    let mut counts = [0_usize; 3];
    for line in reader {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                out.flush()?;
                let checked: usize = counts.iter().sum();
                bail!(
                    "{}; the {checked} lines before it were checked and printed",
                    csv_error(input, &e)
                );
            }
        };
        let decision = checker.check(&line);
        counts[decision.verdict as usize] += 1;
        let reasons = checker.reasons(&line, &decision);
        if ctx.json {
            serde_json::to_writer(&mut out, &line_json(&line, &decision, &reasons))?;
            out.write_all(b"\n")?;
        } else {
            write_line_text(&mut out, &line, &decision, &reasons)?;
        }
    }
    if !ctx.json {
        let [allow, hold, block] = counts;
        writeln!(
            out,
            "{} lines checked: {allow} allow, {hold} hold, {block} block",
            allow + hold + block
        )?;
    }
    out.flush()?;
    Ok(if counts[1] + counts[2] == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// One output line of `goods check --json`, its fields in the documented order.
#[derive(Serialize)]
struct LineOutput<'a> {
    id: &'a str,
    verdict: &'static str,
    reasons: Vec<ReasonOutput<'a>>,
    price: goods::PriceReport,
}

#[derive(Serialize)]
struct ReasonOutput<'a> {
    code: &'a str,
    message: &'a str,
    basis: &'a str,
}

fn line_json<'a>(
    line: &'a Line,
    decision: &Decision<'_>,
    reasons: &'a [Reason<'a>],
) -> LineOutput<'a> {
    LineOutput {
        id: &line.id,
        verdict: decision.verdict.as_str(),
        reasons: reasons
            .iter()
            .map(|r| ReasonOutput {
                code: r.code,
                message: &r.message,
                basis: r.basis,
            })
            .collect(),
        price: goods::PriceReport::of(line, decision.price),
    }
}

fn write_line_text(
    out: &mut impl Write,
    line: &Line,
    decision: &Decision<'_>,
    reasons: &[Reason<'_>],
) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<20} {:<6} {:<8} {}",
        line.id,
        decision.verdict.as_str().to_uppercase(),
        line.goods.hs_code().to_string(),
        line.goods.description()
    )?;
    for reason in reasons {
        writeln!(
            out,
            "    {:<5} {}: {}\n          basis: {}",
            reason.verdict.as_str(),
            reason.code,
            reason.message,
            reason.basis
        )?;
    }
    Ok(())
}

fn show(ctx: &Ctx, code: &str, policy: Option<&Path>) -> anyhow::Result<ExitCode> {
    let nomenclature = Nomenclature::bundled().context("the bundled nomenclature")?;
    let query = CodeQuery::parse(code)?;
    let classification = nomenclature.classify(query)?;
    let policy = load_policy(policy, &nomenclature)?;
    let rulings = code_rulings(&nomenclature, &policy, query);
    if ctx.json {
        let described =
            |d: &goods::Described<'_>| json!({"code": d.code, "description": d.description});
        let value = json!({
            "code": query.to_string(),
            "level": classification.level.name(),
            "section": described(&classification.section),
            "chapter": described(&classification.chapter),
            "heading": classification.heading.as_ref().map(described),
            "subheading": classification.subheading.as_ref().map(described),
            "children": classification.children.iter().map(described).collect::<Vec<_>>(),
            "policy": rulings.as_ref().map(|(verdict, reasons)| json!({
                "verdict": verdict.as_str(),
                "reasons": reasons.iter().map(|(code, message, basis)| {
                    json!({"code": code, "message": message, "basis": basis})
                }).collect::<Vec<_>>(),
            })),
        });
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, &value)?;
        out.write_all(b"\n")?;
    } else {
        write_show_text(&classification, rulings.as_ref())?;
    }
    Ok(ExitCode::SUCCESS)
}

type CodeRulings = (Verdict, Vec<(String, String, String)>);

/// What the policy says about a subheading by its code alone (the rule and the CHPL); `None`
/// for chapters and headings, whose subheadings may differ.
fn code_rulings(
    nomenclature: &Nomenclature,
    policy: &Policy,
    query: CodeQuery,
) -> Option<CodeRulings> {
    let code = model::HsCode::new(query.number()).ok()?;
    let subheading = nomenclature
        .find(code)
        .filter(|_| query.level() == goods::Level::Subheading)?;
    let entry = policy.entry(subheading);
    let ruling = policy.ruling(entry.rule);
    let mut verdict = ruling.verdict;
    let mut reasons = vec![(
        ruling.code.clone(),
        ruling.reason.clone(),
        ruling.basis.clone(),
    )];
    if let (Some(tier), Some(chpl)) = (entry.chpl, policy.chpl()) {
        verdict = verdict.max(chpl.verdict);
        reasons.push((
            chpl.code.clone(),
            format!("{}, {} ({})", chpl.reason, tier.name(), tier.code()),
            chpl.basis.clone(),
        ));
    }
    Some((verdict, reasons))
}

fn write_show_text(c: &Classification<'_>, rulings: Option<&CodeRulings>) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    let row = |out: &mut BufWriter<_>, label: &str, d: &goods::Described<'_>| {
        writeln!(out, "{label:<11} {:<8} {}", d.code, d.description)
    };
    row(&mut out, "section", &c.section)?;
    row(&mut out, "chapter", &c.chapter)?;
    if let Some(heading) = &c.heading {
        row(&mut out, "heading", heading)?;
    }
    if let Some(subheading) = &c.subheading {
        row(&mut out, "subheading", subheading)?;
    }
    if let Some((verdict, reasons)) = rulings {
        writeln!(out, "{:<11} {}", "policy", verdict.as_str())?;
        for (code, message, basis) in reasons {
            writeln!(out, "    {code}: {message}\n          basis: {basis}")?;
        }
    }
    if !c.children.is_empty() {
        writeln!(out, "{} codes below:", c.children.len())?;
        for child in &c.children {
            writeln!(out, "    {:<8} {}", child.code, child.description)?;
        }
    }
    out.flush()
}
