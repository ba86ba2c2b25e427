//! OpenSanctions yente's API shapes over our screener, so that tools written for yente work
//! against Clearhouse unchanged: `POST /match/{dataset}` ([`match_entities`]),
//! `GET /search/{dataset}?q=` ([`search`]), `GET /entities/{id}` ([`entity`]) and
//! `GET /catalog` ([`catalog`]).
//!
//! Pure: serde types in and out, no I/O. The server deserialises the request (through
//! [`MatchRequest::from_json`] to get errors that name the field), calls these, and maps
//! [`YenteError`] to a status: `InvalidField` 400 (or 422), `UnknownDataset` and `NotFound` 404.
//!
//! What differs from yente, by design: scores are ours (the scorer of [`crate::score`]), so each
//! result's `features` and `explanations` are our features (`name_match`, `weak_alias`,
//! `birth_date`, `country`, `identifier`), and `clearhouse_explanation` carries the full
//! explanation (which name parts paired, how); every yente algorithm name is accepted and the
//! response says which algorithm ran (`algorithm.used`); datasets are our lists under their
//! OpenSanctions names; a query needs a name (identifiers alone find nothing here).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::entity::{Entity, Schema, parse_schema};
use crate::score::{QueryFacts, WEAK_ALIAS_FACTOR};
use crate::screener::{LIMIT_MAX, Match, Query, Scratch, Screener};

mod datasets;
mod properties;
mod query;
mod request;

pub use datasets::{COLLECTIONS, Catalog, DatasetInfo, ListMeta, catalog, dataset_name, topics};
pub use query::{BIRTH_DATES_PER_QUERY_MAX, NAMES_PER_QUERY_MAX, SCREENS_PER_QUERY_MAX};
pub use request::{
    EntityQuery, ID_CHARS_MAX, MATCH_QUERIES_MAX, MatchRequest, PROPERTIES_PER_QUERY_MAX,
    PROPERTY_NAME_CHARS_MAX, QUERY_KEY_CHARS_MAX, VALUE_CHARS_MAX, VALUES_PER_PROPERTY_MAX,
};

use datasets::Sources;
use query::Prepared;

/// yente's default match threshold: a result scoring at least this has `match: true`. (Our
/// own default, [`crate::DEFAULT_THRESHOLD`], is 0.80; a yente client that sends none gets
/// yente's, which flags more.)
pub const MATCH_THRESHOLD_DEFAULT: f64 = 0.70;
/// Results scoring below the cutoff are not returned at all. yente's default is 0.1; ours is
/// 0.5 since below it our scores are names that share a common part at most, and scoring and
/// explaining every candidate down to 0.1 doubles the time of a query (`benches/yente.rs`). A
/// client that wants them asks for `cutoff=0.1`.
pub const MATCH_CUTOFF_DEFAULT: f64 = 0.5;
/// Results per query unless `limit` says otherwise (yente's `MATCH_PAGE`).
pub const MATCH_LIMIT_DEFAULT: usize = 5;
/// Most results per query (yente's `MAX_PAGE`).
pub const MATCH_LIMIT_MAX: usize = 500;
/// Results per search unless `limit` says otherwise.
pub const SEARCH_LIMIT_DEFAULT: usize = 10;
/// Most results of one search page.
pub const SEARCH_LIMIT_MAX: usize = 500;
/// `offset + limit` of a search: the screener ranks at most this many results.
pub const SEARCH_WINDOW_MAX: usize = LIMIT_MAX;
/// Lowest score a search returns: a text search shows near matches too, a screening does not.
pub const SEARCH_SCORE_MIN: f64 = 0.5;
/// The algorithm that runs, whatever was asked for.
pub const ALGORITHM: &str = "clearhouse";
/// yente's algorithm names, all accepted (and answered by [`ALGORITHM`]).
pub const ALGORITHMS: &[&str] = &[
    "best",
    "default",
    "logic-v1",
    "logic-v2",
    "name-based",
    "name-qualified",
    "regression-v1",
    "regression-v2",
    "regression-v3",
    "ofac-249",
    "er-unstable",
    ALGORITHM,
];

/// Why a request cannot be answered; each variant maps to one HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum YenteError {
    /// A field of the body or a parameter is wrong (400): `field` is its path
    /// (`queries.q1.properties.birthDate[0]`, `threshold`).
    #[error("{field}: {message}")]
    InvalidField { field: String, message: String },
    /// The dataset in the path is not one served (404).
    #[error("dataset {0:?}: no such dataset (see /catalog)")]
    UnknownDataset(String),
    /// No listed entity has this id (404).
    #[error("entity {0:?}: not found")]
    NotFound(String),
}

impl YenteError {
    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> YenteError {
        YenteError::InvalidField {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The query-string parameters of `/match/{dataset}`, with yente's names and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchParams {
    /// A result scoring at least this is a match (`match: true`).
    pub threshold: f64,
    /// Results scoring below this are not returned.
    pub cutoff: f64,
    /// Results per query, 1 to [`MATCH_LIMIT_MAX`].
    pub limit: usize,
    /// One of [`ALGORITHMS`]; [`ALGORITHM`] runs whichever is named.
    pub algorithm: String,
    /// Only results from these datasets.
    #[serde(deserialize_with = "request::one_or_many")]
    pub include_dataset: Vec<String>,
    /// No results from these datasets.
    #[serde(deserialize_with = "request::one_or_many")]
    pub exclude_dataset: Vec<String>,
    /// No results of these schemas.
    #[serde(deserialize_with = "request::one_or_many")]
    pub exclude_schema: Vec<String>,
    /// Only results with one of these topics (`sanction`, `export.control`, `debarment`).
    #[serde(deserialize_with = "request::one_or_many")]
    pub topics: Vec<String>,
}

impl Default for MatchParams {
    fn default() -> MatchParams {
        MatchParams {
            threshold: MATCH_THRESHOLD_DEFAULT,
            cutoff: MATCH_CUTOFF_DEFAULT,
            limit: MATCH_LIMIT_DEFAULT,
            algorithm: "best".to_owned(),
            include_dataset: Vec::new(),
            exclude_dataset: Vec::new(),
            exclude_schema: Vec::new(),
            topics: Vec::new(),
        }
    }
}

/// The `/match` answer, shaped like yente's `EntityMatchResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchResponse {
    /// One answer per query, under the query's key.
    pub responses: BTreeMap<String, EntityMatches>,
    pub limit: usize,
    /// Which algorithm was asked for and which ran.
    pub algorithm: AlgorithmUsed,
}

/// The algorithm asked for (`requested`) and the one that scored (`used`: always ours).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlgorithmUsed {
    pub requested: String,
    pub used: String,
}

/// The answer to one query, shaped like yente's `EntityMatches`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityMatches {
    pub status: u16,
    pub results: Vec<ScoredEntity>,
    pub total: Total,
    pub query: QueryEcho,
}

/// How many results there were before the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Total {
    pub value: usize,
    pub relation: String,
}

impl Total {
    fn exactly(value: usize) -> Total {
        Total {
            value,
            relation: "eq".to_owned(),
        }
    }
}

/// The query as received; `ignored_properties` names those the screener does not use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryEcho {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub schema: String,
    pub properties: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub ignored_properties: Vec<String>,
}

/// A listed entity as a FollowTheMoney entity, shaped like yente's `EntityResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityResponse {
    /// Our id, `source:native_id` (`us_ofac_sdn:12111`).
    pub id: String,
    pub caption: String,
    /// The FollowTheMoney schema (`Person`, `Organization`, `LegalEntity`, `Vessel`, `Airplane`).
    pub schema: String,
    /// FollowTheMoney properties: `name`, `alias`, `weakAlias`, `firstName`, `lastName`,
    /// `birthDate`, `country`, identifiers (`passportNumber`, `idNumber`, `swiftBic`, …),
    /// `programId`, `topics`.
    pub properties: BTreeMap<String, Vec<String>>,
    /// The OpenSanctions name of the list (`us_ofac_sdn`, `un_sc_sanctions`, …).
    pub datasets: Vec<String>,
    pub referents: Vec<String>,
    /// A listed entity is a target of the list.
    pub target: bool,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub last_change: Option<String>,
}

/// One result of a query, shaped like yente's `ScoredEntityResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredEntity {
    #[serde(flatten)]
    pub entity: EntityResponse,
    pub score: f64,
    /// `score >= threshold`.
    #[serde(rename = "match")]
    pub is_match: bool,
    /// Feature → what it added to the score (older yente clients read this).
    pub features: BTreeMap<String, f64>,
    /// Feature → its score and, in words, why (newer yente clients read this).
    pub explanations: BTreeMap<String, FeatureResult>,
    /// Our explanation in full: the listed name that matched, each pair of name parts and how
    /// they matched, the qualifiers. A field yente does not have, so its clients skip it.
    pub clearhouse_explanation: serde_json::Value,
}

/// One feature's score and its explanation (nomenklatura's `FtResult`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureResult {
    pub score: f64,
    pub detail: Option<String>,
}

/// Parameters checked, dataset filters resolved to our sources.
struct Checked {
    threshold: f64,
    cutoff: f64,
    limit: usize,
    algorithm: AlgorithmUsed,
    filter: Filter,
}

/// Which listed entities a request lets through.
struct Filter {
    sources: Sources,
    include: Vec<String>,
    exclude: Vec<String>,
    exclude_schema: Vec<Schema>,
    topics: Vec<String>,
}

impl Filter {
    fn new(
        screener: &Screener,
        dataset: &str,
        include: &[String],
        exclude: &[String],
        topics: &[String],
    ) -> Result<Filter, YenteError> {
        Ok(Filter {
            sources: datasets::resolve(screener, dataset)?,
            include: datasets::resolve_list(screener, "include_dataset", include)?,
            exclude: datasets::resolve_list(screener, "exclude_dataset", exclude)?,
            exclude_schema: Vec::new(),
            topics: topics.to_vec(),
        })
    }

    fn keeps(&self, entity: &Entity) -> bool {
        self.sources.contains(&entity.source)
            && (self.include.is_empty() || self.include.contains(&entity.source))
            && !self.exclude.contains(&entity.source)
            && !self.exclude_schema.contains(&entity.schema)
            && (self.topics.is_empty()
                || topics(entity)
                    .iter()
                    .any(|t| self.topics.iter().any(|wanted| wanted == t)))
    }
}

impl MatchParams {
    fn check(&self, screener: &Screener, dataset: &str) -> Result<Checked, YenteError> {
        let unit = |field: &str, value: f64| {
            if (0.0..=1.0).contains(&value) {
                Ok(value)
            } else {
                Err(YenteError::invalid(
                    field,
                    format!("{value}: must be between 0 and 1"),
                ))
            }
        };
        let threshold = unit("threshold", self.threshold)?;
        let cutoff = unit("cutoff", self.cutoff)?;
        if self.limit == 0 || self.limit > MATCH_LIMIT_MAX {
            return Err(YenteError::invalid(
                "limit",
                format!("{}: must be between 1 and {MATCH_LIMIT_MAX}", self.limit),
            ));
        }
        let algorithm = algorithm(&self.algorithm)?;
        let mut filter = Filter::new(
            screener,
            dataset,
            &self.include_dataset,
            &self.exclude_dataset,
            &self.topics,
        )?;
        filter.exclude_schema = self
            .exclude_schema
            .iter()
            .map(|s| {
                parse_schema(s).map_err(|e| YenteError::invalid("exclude_schema", e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Checked {
            threshold,
            cutoff,
            limit: self.limit,
            algorithm,
            filter,
        })
    }
}

fn algorithm(requested: &str) -> Result<AlgorithmUsed, YenteError> {
    let known = ALGORITHMS
        .iter()
        .any(|a| a.eq_ignore_ascii_case(requested.trim()));
    if !known {
        return Err(YenteError::invalid(
            "algorithm",
            format!("{requested:?}: expected one of {}", ALGORITHMS.join(", ")),
        ));
    }
    Ok(AlgorithmUsed {
        requested: requested.trim().to_owned(),
        used: ALGORITHM.to_owned(),
    })
}

/// Answers a `/match` request: each query screened against the lists of `dataset` (`default`
/// and `sanctions`: all of them), its results scoring at least `cutoff`, best first, at most
/// `limit`, each with `match` = score ≥ `threshold`. The parameters and every query's shape,
/// schema, dates and countries are checked before anything is screened; a name with nothing to
/// match on is found while screening. Either way a bad query anywhere fails the whole request
/// with an error naming its field (nothing is half answered).
pub fn match_entities(
    screener: &Screener,
    dataset: &str,
    params: &MatchParams,
    request: &MatchRequest,
) -> Result<MatchResponse, YenteError> {
    match_entities_with(screener, dataset, params, request, &mut Scratch::default())
}

/// [`match_entities`] with the caller's scratch space (one per thread), which saves allocating
/// and clearing it for every request.
pub fn match_entities_with(
    screener: &Screener,
    dataset: &str,
    params: &MatchParams,
    request: &MatchRequest,
    scratch: &mut Scratch,
) -> Result<MatchResponse, YenteError> {
    let checked = params.check(screener, dataset)?;
    request.check()?;
    let prepared: Vec<(&String, Prepared)> = request
        .queries
        .iter()
        .map(|(key, q)| query::prepare(key, q).map(|p| (key, p)))
        .collect::<Result<_, _>>()?;
    let mut responses = BTreeMap::new();
    for (key, query) in prepared {
        let found = screen_query(screener, &query, checked.cutoff, scratch)?;
        let kept: Vec<Match> = found
            .into_iter()
            .filter(|m| {
                let entity = screener.entity_of(m);
                checked.filter.keeps(entity)
                    && query.only.is_none_or(|only| only.contains(&entity.schema))
            })
            .collect();
        let total = Total::exactly(kept.len());
        let results = kept
            .iter()
            .take(checked.limit)
            .map(|m| scored(screener, m, checked.threshold))
            .collect();
        responses.insert(
            key.clone(),
            EntityMatches {
                status: 200,
                results,
                total,
                query: query.echo,
            },
        );
    }
    Ok(MatchResponse {
        responses,
        limit: checked.limit,
        algorithm: checked.algorithm,
    })
}

/// Screens every name of a query with each of its birth dates; per listed entity the best
/// score, best first.
fn screen_query(
    screener: &Screener,
    query: &Prepared,
    cutoff: f64,
    scratch: &mut Scratch,
) -> Result<Vec<Match>, YenteError> {
    let dates: Vec<Option<_>> = if query.birth_dates.is_empty() {
        vec![None]
    } else {
        query.birth_dates.iter().copied().map(Some).collect()
    };
    let mut best: Vec<Match> = Vec::new();
    // Where each listed entity (by its position in the screener) is in `best`.
    let mut position: HashMap<u32, usize> = HashMap::new();
    for (field, name) in &query.names {
        for date in &dates {
            let screened = Query {
                name: name.clone(),
                schema: query.schema,
                facts: QueryFacts {
                    birth_date: *date,
                    countries: query.countries.clone(),
                    identifiers: query.identifiers.clone(),
                },
            };
            let found = screener
                .screen(&screened, cutoff, LIMIT_MAX, scratch)
                .map_err(|e| YenteError::invalid(field.clone(), e.to_string()))?;
            for m in found {
                match position.get(&m.entity) {
                    Some(&at) if best[at].score >= m.score => {}
                    Some(&at) => best[at] = m,
                    None => {
                        position.insert(m.entity, best.len());
                        best.push(m);
                    }
                }
            }
        }
    }
    best.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(
                b.explanation
                    .name_score
                    .total_cmp(&a.explanation.name_score),
            )
            .then(a.entity_id.cmp(&b.entity_id))
    });
    Ok(best)
}

/// A match as yente shows it, with our features and explanation.
fn scored(screener: &Screener, m: &Match, threshold: f64) -> ScoredEntity {
    let mut features = BTreeMap::new();
    let mut explanations = BTreeMap::new();
    let explanation = &m.explanation;
    let mut feature = |name: &str, score: f64, detail: String| {
        features.insert(name.to_owned(), score);
        explanations.insert(
            name.to_owned(),
            FeatureResult {
                score,
                detail: Some(detail),
            },
        );
    };
    feature("name_match", explanation.name_score, name_detail(m));
    if explanation.name_strength == "weak" {
        let taken = crate::score::round3(explanation.name_score * (WEAK_ALIAS_FACTOR - 1.0));
        feature(
            "weak_alias",
            taken,
            format!("the listed name is a weak alias: its score counts ×{WEAK_ALIAS_FACTOR}"),
        );
    }
    for q in &explanation.qualifiers {
        feature(
            q.field,
            q.effect,
            format!("{}: {:?} given, {:?} listed", q.note, q.query, q.listed),
        );
    }
    ScoredEntity {
        entity: properties::entity_response(screener.entity_of(m)),
        score: m.score,
        is_match: m.score >= threshold,
        features,
        explanations,
        clearhouse_explanation: serde_json::to_value(explanation).unwrap_or_default(),
    }
}

/// `"SAEID HASHEMI MOGHADAM" (strong): saeid = saeid exact, moqaddam ~ moghadam phonetic, …`.
fn name_detail(m: &Match) -> String {
    let explanation = &m.explanation;
    let parts: Vec<String> = explanation
        .parts
        .iter()
        .map(|p| match (&p.query, &p.listed, p.how) {
            (Some(q), Some(l), Some(how)) => {
                let how = serde_json::to_value(how).unwrap_or_default();
                format!("{q} ~ {l} {}", how.as_str().unwrap_or("matched"))
            }
            (Some(q), None, _) => format!("{q} not listed"),
            (None, Some(l), _) => format!("{l} not given"),
            _ => String::from("unpaired"),
        })
        .collect();
    format!(
        "{:?} ({}): {}",
        explanation.matched_name,
        explanation.name_strength,
        parts.join(", ")
    )
}

/// The query-string parameters of `/search/{dataset}`, with yente's names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchParams {
    /// The text to look for: a name, in any script.
    pub q: String,
    pub limit: usize,
    pub offset: usize,
    /// A schema name, ours or FollowTheMoney's; `Thing` for any.
    pub schema: String,
    #[serde(deserialize_with = "request::one_or_many")]
    pub include_dataset: Vec<String>,
    #[serde(deserialize_with = "request::one_or_many")]
    pub exclude_dataset: Vec<String>,
    #[serde(deserialize_with = "request::one_or_many")]
    pub topics: Vec<String>,
}

impl Default for SearchParams {
    fn default() -> SearchParams {
        SearchParams {
            q: String::new(),
            limit: SEARCH_LIMIT_DEFAULT,
            offset: 0,
            schema: "Thing".to_owned(),
            include_dataset: Vec::new(),
            exclude_dataset: Vec::new(),
            topics: Vec::new(),
        }
    }
}

/// The `/search` answer, shaped like yente's `SearchResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    pub limit: usize,
    pub offset: usize,
    pub total: Total,
    pub results: Vec<SearchResult>,
    /// `datasets`, `topics`, `countries`: how many of all the results have each value.
    pub facets: BTreeMap<String, SearchFacet>,
}

/// One search result: the entity and its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    #[serde(flatten)]
    pub entity: EntityResponse,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchFacet {
    pub label: String,
    pub values: Vec<SearchFacetItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchFacetItem {
    pub name: String,
    pub label: String,
    pub count: usize,
}

/// Answers a `/search` request: the listed entities whose names are closest to `q`, scoring
/// at least [`SEARCH_SCORE_MIN`], best first, a page of `limit` from `offset`.
pub fn search(
    screener: &Screener,
    dataset: &str,
    params: &SearchParams,
) -> Result<SearchResponse, YenteError> {
    if params.q.trim().is_empty() {
        return Err(YenteError::invalid("q", "empty: give a name to look for"));
    }
    if params.limit == 0 || params.limit > SEARCH_LIMIT_MAX {
        return Err(YenteError::invalid(
            "limit",
            format!("{}: must be between 1 and {SEARCH_LIMIT_MAX}", params.limit),
        ));
    }
    if params.offset + params.limit > SEARCH_WINDOW_MAX {
        return Err(YenteError::invalid(
            "offset",
            format!("offset + limit must be at most {SEARCH_WINDOW_MAX}"),
        ));
    }
    let schema = crate::entity::parse_schema_or_any(&params.schema)
        .map_err(|e| YenteError::invalid("schema", format!("{e}, or Thing")))?;
    let filter = Filter::new(
        screener,
        dataset,
        &params.include_dataset,
        &params.exclude_dataset,
        &params.topics,
    )?;
    let query = Query {
        name: params.q.clone(),
        schema,
        facts: QueryFacts::default(),
    };
    let found = screener
        .screen(&query, SEARCH_SCORE_MIN, LIMIT_MAX, &mut Scratch::default())
        .map_err(|e| YenteError::invalid("q", e.to_string()))?;
    let kept: Vec<(&Entity, f64)> = found
        .iter()
        .map(|m| (screener.entity_of(m), m.score))
        .filter(|(e, _)| filter.keeps(e))
        .collect();
    let results = kept
        .iter()
        .skip(params.offset)
        .take(params.limit)
        .map(|(entity, score)| SearchResult {
            entity: properties::entity_response(entity),
            score: *score,
        })
        .collect();
    Ok(SearchResponse {
        limit: params.limit,
        offset: params.offset,
        total: Total::exactly(kept.len()),
        results,
        facets: facets(kept.iter().map(|(e, _)| *e)),
    })
}

fn facets<'e>(entities: impl Iterator<Item = &'e Entity>) -> BTreeMap<String, SearchFacet> {
    let mut by_dataset: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_topic: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_country: BTreeMap<String, usize> = BTreeMap::new();
    for entity in entities {
        *by_dataset
            .entry(dataset_name(&entity.source).to_owned())
            .or_default() += 1;
        for topic in topics(entity) {
            *by_topic.entry(topic.to_owned()).or_default() += 1;
        }
        for country in &entity.countries {
            *by_country.entry(country.to_ascii_lowercase()).or_default() += 1;
        }
    }
    let facet = |label: &str, counts: BTreeMap<String, usize>| SearchFacet {
        label: label.to_owned(),
        values: counts
            .into_iter()
            .map(|(name, count)| SearchFacetItem {
                label: name.clone(),
                name,
                count,
            })
            .collect(),
    };
    BTreeMap::from([
        ("datasets".to_owned(), facet("Data sources", by_dataset)),
        ("topics".to_owned(), facet("Topics", by_topic)),
        ("countries".to_owned(), facet("Countries", by_country)),
    ])
}

/// Answers `/entities/{id}`: the listed entity with this id, as a FollowTheMoney entity.
pub fn entity(screener: &Screener, id: &str) -> Result<EntityResponse, YenteError> {
    screener
        .entities()
        .iter()
        .find(|e| e.id == id)
        .map(properties::entity_response)
        .ok_or_else(|| YenteError::NotFound(id.to_owned()))
}
