//! Our list sources under OpenSanctions' dataset names, the dataset a request names, and the
//! `/catalog`.

use serde::{Deserialize, Serialize};

use super::YenteError;
use crate::Screener;
use crate::entity::Entity;
use crate::lists::ParsedList;

/// One of our list sources as OpenSanctions calls it.
struct Known {
    /// Our source name, the prefix of entity ids (`un_sc`).
    source: &'static str,
    /// OpenSanctions' dataset name (`un_sc_sanctions`).
    name: &'static str,
    title: &'static str,
    url: &'static str,
}

const KNOWN: &[Known] = &[
    Known {
        source: "us_ofac_sdn",
        name: "us_ofac_sdn",
        title: "US OFAC Specially Designated Nationals (SDN) List",
        url: "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists",
    },
    Known {
        source: "us_ofac_cons",
        name: "us_ofac_cons",
        title: "US OFAC Consolidated (non-SDN) List",
        url: "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists",
    },
    Known {
        source: "un_sc",
        name: "un_sc_sanctions",
        title: "UN Security Council Consolidated Sanctions List",
        url: "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list",
    },
    Known {
        source: "eu_fsf",
        name: "eu_fsf",
        title: "EU Financial Sanctions Files (FSF)",
        url: "https://webgate.ec.europa.eu/fsd/fsf",
    },
    Known {
        source: "uk_hmt",
        name: "gb_hmt_sanctions",
        title: "UK Sanctions List / OFSI Consolidated List of Asset Freeze Targets",
        url: "https://www.gov.uk/government/publications/the-uk-sanctions-list",
    },
    Known {
        source: "us_csl",
        name: "us_trade_csl",
        title: "US Trade Consolidated Screening List (CSL)",
        url: "https://www.trade.gov/consolidated-screening-list",
    },
    Known {
        source: "us_bis_dpl",
        name: "us_bis_denied",
        title: "US BIS Denied Persons List",
        url: "https://www.bis.gov/dpl",
    },
];

/// Collections: every list at once. OpenSanctions' `default` also holds non-sanctions data;
/// here every list is a sanctions or export-control list, so both mean all of them.
pub const COLLECTIONS: &[&str] = &["default", "sanctions"];

/// The OpenSanctions dataset name of one of our sources (`un_sc` → `un_sc_sanctions`); a
/// source of ours OpenSanctions has no name for (an FtM file's own dataset) keeps its name.
pub fn dataset_name(source: &str) -> &str {
    KNOWN
        .iter()
        .find(|k| k.source == source)
        .map_or(source, |k| k.name)
}

fn title(source: &str) -> String {
    KNOWN.iter().find(|k| k.source == source).map_or_else(
        || format!("{source} (FollowTheMoney)"),
        |k| k.title.to_owned(),
    )
}

/// Which sources a request covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sources {
    All,
    /// Our source names.
    Only(Vec<String>),
}

impl Sources {
    pub(crate) fn contains(&self, source: &str) -> bool {
        match self {
            Sources::All => true,
            Sources::Only(sources) => sources.iter().any(|s| s == source),
        }
    }
}

/// Our source for a dataset name: OpenSanctions' name or ours for a known list (whether loaded
/// or not: it is a dataset we know, with no entities if it is not loaded), or any other name a
/// loaded list carries (an FtM file's dataset). `None`: no such dataset.
pub(crate) fn source_of(screener: &Screener, name: &str) -> Option<String> {
    if let Some(known) = KNOWN.iter().find(|k| k.name == name || k.source == name) {
        return Some(known.source.to_owned());
    }
    // A scan of the entities, only for names that are not ours (they are in list order, so a
    // loaded source is found at its first entity).
    screener
        .entities()
        .iter()
        .any(|e| e.source == name)
        .then(|| name.to_owned())
}

/// The sources the dataset in a request's path covers; an unknown name is
/// [`YenteError::UnknownDataset`] (a 404 for the server).
pub(crate) fn resolve(screener: &Screener, dataset: &str) -> Result<Sources, YenteError> {
    if COLLECTIONS.contains(&dataset) {
        return Ok(Sources::All);
    }
    source_of(screener, dataset)
        .map(|source| Sources::Only(vec![source]))
        .ok_or_else(|| YenteError::UnknownDataset(dataset.to_owned()))
}

/// The sources named by an `include_dataset` / `exclude_dataset` parameter (`field`); each
/// name must be a dataset.
pub(crate) fn resolve_list(
    screener: &Screener,
    field: &str,
    names: &[String],
) -> Result<Vec<String>, YenteError> {
    names
        .iter()
        .map(|name| {
            source_of(screener, name).ok_or_else(|| {
                YenteError::invalid(field, format!("{name:?}: no such dataset (see /catalog)"))
            })
        })
        .collect()
}

/// OpenSanctions' topics of a listed entity: `sanction` for the sanctions lists, and on the
/// trade lists by the sub-list that lists it (CSL and DPL: the export-control lists of BIS
/// give `export.control`, the State Department's ITAR debarments `debarment`).
pub fn topics(entity: &Entity) -> Vec<&'static str> {
    match entity.source.as_str() {
        "us_bis_dpl" => vec!["export.control"],
        "us_csl" => {
            let mut topics = Vec::new();
            for program in &entity.programs {
                let topic = match program.as_str() {
                    "DPL" | "EL" | "UVL" | "MEU" => "export.control",
                    "DTC" => "debarment",
                    _ => "sanction",
                };
                if !topics.contains(&topic) {
                    topics.push(topic);
                }
            }
            if topics.is_empty() {
                topics.push("sanction");
            }
            topics
        }
        _ => vec!["sanction"],
    }
}

/// What is known of a list beside its entities: its source and its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListMeta {
    /// Our source name (`us_ofac_sdn`).
    pub source: String,
    /// The list's date, `YYYY-MM-DD`, when known.
    pub date: Option<String>,
}

impl ListMeta {
    pub fn of(list: &ParsedList) -> ListMeta {
        ListMeta {
            source: list.source.clone(),
            date: list.date.clone(),
        }
    }
}

/// The `/catalog` answer, shaped like yente's `DataCatalogModel`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub datasets: Vec<DatasetInfo>,
    /// Datasets whose index is current (all: a list version is indexed whole before it is used).
    pub current: Vec<String>,
    pub outdated: Vec<String>,
    pub index_stale: bool,
}

/// One dataset of the catalog, shaped like yente's `DatasetModel`, with its entity count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetInfo {
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    pub load: bool,
    #[serde(default)]
    pub entities_url: Option<String>,
    /// The list's date when known, else the version of the lists in force.
    pub version: String,
    #[serde(default)]
    pub index_version: Option<String>,
    pub index_current: bool,
    /// A collection's datasets; empty for a list.
    pub children: Vec<String>,
    pub entity_count: usize,
    /// The list's date (`YYYY-MM-DD`), when the list says it.
    #[serde(default)]
    pub last_change: Option<String>,
}

/// The datasets served: the two collections, then every loaded list in load order, each with
/// its entity count. `version` is the version of the lists in force (`bundled`, a version id);
/// `lists` gives each list's date.
pub fn catalog(screener: &Screener, version: &str, lists: &[ListMeta]) -> Catalog {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for entity in screener.entities() {
        match counts.last_mut() {
            Some((source, count)) if *source == entity.source => *count += 1,
            _ => match counts.iter_mut().find(|(s, _)| *s == entity.source) {
                Some((_, count)) => *count += 1,
                None => counts.push((&entity.source, 1)),
            },
        }
    }
    let children: Vec<String> = counts
        .iter()
        .map(|(source, _)| dataset_name(source).to_owned())
        .collect();
    let mut datasets: Vec<DatasetInfo> = COLLECTIONS
        .iter()
        .map(|name| DatasetInfo {
            name: (*name).to_owned(),
            title: format!("Every list in force ({name})"),
            summary: None,
            url: None,
            load: true,
            entities_url: None,
            version: version.to_owned(),
            index_version: Some(version.to_owned()),
            index_current: true,
            children: children.clone(),
            entity_count: screener.entities().len(),
            last_change: latest(lists),
        })
        .collect();
    datasets.extend(counts.iter().map(|(source, count)| {
        let date = lists
            .iter()
            .find(|l| l.source == *source)
            .and_then(|l| l.date.clone());
        DatasetInfo {
            name: dataset_name(source).to_owned(),
            title: title(source),
            summary: None,
            url: KNOWN
                .iter()
                .find(|k| k.source == *source)
                .map(|k| k.url.to_owned()),
            load: true,
            entities_url: None,
            version: date.clone().unwrap_or_else(|| version.to_owned()),
            index_version: Some(version.to_owned()),
            index_current: true,
            children: Vec::new(),
            entity_count: *count,
            last_change: date,
        }
    }));
    let current = datasets.iter().map(|d| d.name.clone()).collect();
    Catalog {
        datasets,
        current,
        outdated: Vec::new(),
        index_stale: false,
    }
}

fn latest(lists: &[ListMeta]) -> Option<String> {
    lists.iter().filter_map(|l| l.date.clone()).max()
}
