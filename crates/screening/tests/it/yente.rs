//! The yente-shaped API on the bundled lists: requests as OpenSanctions' documentation writes
//! them, thresholds, limits, dataset filters, malformed input, search, entities, the catalog.

use screening::yente::{
    self, ListMeta, MATCH_LIMIT_MAX, MatchParams, MatchRequest, MatchResponse, SearchParams,
    YenteError,
};
use serde_json::{Value, json};

use crate::support::bundled;

fn request(body: Value) -> MatchRequest {
    MatchRequest::from_value(body).expect("a well-formed request")
}

fn run(dataset: &str, params: &MatchParams, body: Value) -> Result<MatchResponse, YenteError> {
    yente::match_entities(bundled(), dataset, params, &request(body))
}

fn field_of(error: YenteError) -> String {
    match error {
        YenteError::InvalidField { field, .. } => field,
        other => panic!("not a field error: {other}"),
    }
}

/// The person and company queries of OpenSanctions' matching documentation.
fn documented_queries() -> Value {
    json!({
        "queries": {
            "person": {
                "schema": "Person",
                "properties": {
                    "name": ["Arkadiii Romanovich Rotenberg", "Ротенберг Аркадий"],
                    "birthDate": ["1951"],
                    "nationality": ["Russia"]
                }
            },
            "company": {
                "schema": "Company",
                "properties": {
                    "name": ["Stroygazmontazh"],
                    "jurisdiction": ["Russia"]
                }
            }
        }
    })
}

#[test]
fn the_documented_query_finds_the_listed_person_and_company() {
    let response = run("default", &MatchParams::default(), documented_queries()).unwrap();
    assert_eq!(response.limit, 5);
    assert_eq!(response.algorithm.used, "clearhouse");
    let person = &response.responses["person"];
    assert_eq!(person.status, 200);
    let first = &person.results[0];
    assert_eq!(first.entity.id, "us_ofac_sdn:16669");
    assert_eq!(first.entity.caption, "ROTENBERG, Arkady Romanovich");
    assert_eq!(first.entity.schema, "Person");
    assert_eq!(first.entity.datasets, ["us_ofac_sdn"]);
    assert!(first.is_match, "score {}", first.score);
    assert!(first.score >= 0.9, "score {}", first.score);
    assert!(first.entity.properties["birthDate"].contains(&"1951-12-15".to_owned()));
    assert!(first.entity.properties["taxNumber"].contains(&"780619032880".to_owned()));
    assert_eq!(first.entity.properties["topics"], ["sanction"]);
    assert!(first.features["name_match"] > 0.8);
    assert!(first.features.contains_key("birth_date"));
    let detail = first.explanations["name_match"].detail.as_deref().unwrap();
    assert!(detail.contains("rotenberg"), "{detail}");
    assert!(first.clearhouse_explanation["parts"].is_array());
    assert!(person.total.value >= 1);
    assert_eq!(person.total.relation, "eq");
    assert_eq!(person.query.schema, "Person");
    assert!(person.query.ignored_properties.is_empty());

    // The CSL repeats the SDN entry: both are found, equally.
    let companies = &response.responses["company"].results;
    assert!(
        companies[0]
            .entity
            .caption
            .eq_ignore_ascii_case("STROYGAZMONTAZH")
    );
    let sdn = companies
        .iter()
        .find(|r| r.entity.id == "us_ofac_sdn:16828")
        .expect("the SDN entry");
    assert_eq!(sdn.entity.schema, "Organization");
    assert!(sdn.is_match);
    assert_eq!(sdn.score, companies[0].score);
}

#[test]
fn the_response_is_yentes_json() {
    let response = run("default", &MatchParams::default(), documented_queries()).unwrap();
    let json = serde_json::to_value(&response).unwrap();
    let result = &json["responses"]["person"]["results"][0];
    for key in [
        "id",
        "caption",
        "schema",
        "properties",
        "datasets",
        "referents",
        "target",
        "first_seen",
        "last_seen",
        "score",
        "match",
        "features",
        "explanations",
    ] {
        assert!(result.get(key).is_some(), "{key} missing from {result}");
    }
    assert_eq!(result["match"], true);
    assert!(result["features"]["name_match"].is_f64());
    assert!(result["explanations"]["name_match"]["score"].is_f64());
    assert_eq!(json["responses"]["person"]["total"]["relation"], "eq");
    assert_eq!(json["limit"], 5);
    // What is written reads back the same.
    let again: MatchResponse = serde_json::from_value(json).unwrap();
    assert_eq!(again, response);
}

#[test]
fn the_threshold_decides_match_and_the_cutoff_what_is_returned() {
    let body = json!({"queries": {"q": {"schema": "Person",
        "properties": {"name": ["Arkady Rotenberg"]}}}});
    let at = |threshold: f64, cutoff: f64| {
        let params = MatchParams {
            threshold,
            cutoff,
            limit: 10,
            ..MatchParams::default()
        };
        run("default", &params, body.clone()).unwrap().responses["q"].clone()
    };
    let default = at(0.7, 0.1);
    let first = &default.results[0];
    assert_eq!(first.entity.id, "us_ofac_sdn:16669");
    assert!(first.is_match);
    // A threshold above the score: still returned, no longer a match.
    let strict = at(first.score + 0.001, 0.1);
    assert_eq!(strict.results[0].entity.id, first.entity.id);
    assert!(!strict.results[0].is_match);
    // Every result at or above the cutoff, and `match` exactly where score ≥ threshold.
    for result in &default.results {
        assert!(result.score >= 0.1);
        assert_eq!(result.is_match, result.score >= 0.7, "{}", result.score);
    }
    // A cutoff above the best score: nothing.
    assert!(first.score < 1.0, "a name part is missing: {}", first.score);
    let none = at(0.7, first.score + 0.001);
    assert!(none.results.is_empty(), "{:?}", none.results);
    assert_eq!(none.total.value, 0);
    // The default cutoff (0.5) returns less than yente's 0.1, and nothing below it.
    let default_cutoff = run("default", &MatchParams::default(), body.clone()).unwrap();
    let default_cutoff = &default_cutoff.responses["q"];
    assert!(default_cutoff.results.iter().all(|r| r.score >= 0.5));
    assert!(default.total.value > default_cutoff.total.value);
}

#[test]
fn the_limit_caps_results_not_the_total() {
    let body = json!({"queries": {"q": {"schema": "Person",
        "properties": {"name": ["Rotenberg"]}}}});
    let params = |limit| MatchParams {
        limit,
        cutoff: 0.3,
        ..MatchParams::default()
    };
    let one = run("default", &params(1), body.clone()).unwrap();
    let q = &one.responses["q"];
    assert_eq!(q.results.len(), 1);
    assert!(q.total.value > 1, "several Rotenbergs are listed");
    let three = run("default", &params(3), body.clone()).unwrap();
    assert_eq!(three.responses["q"].results.len(), 3);
    assert_eq!(three.responses["q"].results[0], q.results[0]);
    for bad in [0, MATCH_LIMIT_MAX + 1] {
        let error = run("default", &params(bad), body.clone()).unwrap_err();
        assert_eq!(field_of(error), "limit");
    }
}

#[test]
fn datasets_filter_and_unknown_ones_are_refused() {
    let body = json!({"queries": {"q": {"schema": "Person",
        "properties": {"name": ["Arkady Romanovich Rotenberg"]}}}});
    let params = MatchParams::default();
    let ofac = run("us_ofac_sdn", &params, body.clone()).unwrap();
    assert_eq!(
        ofac.responses["q"].results[0].entity.id,
        "us_ofac_sdn:16669"
    );
    let un = run("un_sc_sanctions", &params, body.clone()).unwrap();
    assert!(
        un.responses["q"]
            .results
            .iter()
            .all(|r| r.entity.datasets == ["un_sc_sanctions"])
    );
    assert!(
        un.responses["q"]
            .results
            .iter()
            .all(|r| r.entity.id != "us_ofac_sdn:16669")
    );
    assert_eq!(
        run("no_such_list", &params, body.clone()).unwrap_err(),
        YenteError::UnknownDataset("no_such_list".into())
    );
    let excluded = MatchParams {
        exclude_dataset: vec!["us_ofac_sdn".into()],
        ..MatchParams::default()
    };
    let rest = run("sanctions", &excluded, body.clone()).unwrap();
    assert!(
        rest.responses["q"]
            .results
            .iter()
            .all(|r| r.entity.datasets != ["us_ofac_sdn"])
    );
    let bad = MatchParams {
        include_dataset: vec!["nope".into()],
        ..MatchParams::default()
    };
    assert_eq!(
        field_of(run("default", &bad, body.clone()).unwrap_err()),
        "include_dataset"
    );
    let topics = MatchParams {
        topics: vec!["export.control".into()],
        ..MatchParams::default()
    };
    let export = run("default", &topics, body).unwrap();
    assert!(
        export.responses["q"]
            .results
            .iter()
            .all(|r| { r.entity.properties["topics"].contains(&"export.control".to_owned()) })
    );
}

#[test]
fn malformed_requests_name_their_field() {
    let params = MatchParams::default();
    let error = run(
        "default",
        &params,
        json!({"queries": {"q7": {"schema": "Spaceship", "properties": {"name": ["X"]}}}}),
    )
    .unwrap_err();
    assert_eq!(field_of(error), "queries.q7.schema");
    let error = run(
        "default",
        &params,
        json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["!!!"]}}}}),
    )
    .unwrap_err();
    assert_eq!(field_of(error), "queries.q.properties.name[0]");
    for (params, field) in [
        (
            MatchParams {
                threshold: 1.5,
                ..MatchParams::default()
            },
            "threshold",
        ),
        (
            MatchParams {
                cutoff: -0.1,
                ..MatchParams::default()
            },
            "cutoff",
        ),
        (
            MatchParams {
                algorithm: "magic".into(),
                ..MatchParams::default()
            },
            "algorithm",
        ),
        (
            MatchParams {
                exclude_schema: vec!["Address".into()],
                ..MatchParams::default()
            },
            "exclude_schema",
        ),
    ] {
        let error = run("default", &params, documented_queries()).unwrap_err();
        assert_eq!(field_of(error), field);
    }
    let error = MatchRequest::from_json(b"{\"queries\": ").unwrap_err();
    assert_eq!(field_of(error), "body");
}

#[test]
fn yente_algorithm_names_are_accepted_and_ours_runs() {
    let params = MatchParams {
        algorithm: "logic-v2".into(),
        ..MatchParams::default()
    };
    let response = run("default", &params, documented_queries()).unwrap();
    assert_eq!(response.algorithm.requested, "logic-v2");
    assert_eq!(response.algorithm.used, "clearhouse");
}

#[test]
fn query_parameters_read_as_yente_clients_send_them() {
    let params: MatchParams = serde_json::from_value(json!({
        "threshold": 0.8, "topics": "sanction", "include_dataset": ["us_ofac_sdn", "eu_fsf"]
    }))
    .unwrap();
    assert_eq!(params.threshold, 0.8);
    assert_eq!(params.limit, 5);
    assert_eq!(params.topics, ["sanction"]);
    assert_eq!(params.include_dataset, ["us_ofac_sdn", "eu_fsf"]);
}

#[test]
fn an_identifier_is_decisive_and_a_vehicle_query_finds_vessels() {
    let body = json!({"queries": {"q": {"schema": "LegalEntity",
        "properties": {"name": ["Arkadi Rotenberk"], "taxNumber": ["780619032880"]}}}});
    let response = run("default", &MatchParams::default(), body).unwrap();
    let first = &response.responses["q"].results[0];
    assert_eq!(first.entity.id, "us_ofac_sdn:16669");
    assert_eq!(first.score, 1.0);
    assert_eq!(first.features["identifier"], 1.0);

    let body = json!({"queries": {"q": {"schema": "Vehicle",
        "properties": {"name": ["Ebano"], "imoNumber": ["7406784"]}}}});
    let response = run("default", &MatchParams::default(), body).unwrap();
    let results = &response.responses["q"].results;
    assert!(
        results
            .iter()
            .all(|r| matches!(r.entity.schema.as_str(), "Vessel" | "Airplane"))
    );
    let ebano = results
        .iter()
        .find(|r| r.entity.id == "us_ofac_sdn:4243")
        .expect("the SDN entry");
    assert_eq!(ebano.score, 1.0);
    assert_eq!(ebano.entity.properties["imoNumber"], ["7406784"]);
}

#[test]
fn search_entities_and_the_catalog() {
    let found = yente::search(
        bundled(),
        "default",
        &SearchParams {
            q: "Arkady Rotenberg".into(),
            limit: 2,
            ..SearchParams::default()
        },
    )
    .unwrap();
    assert_eq!(found.results[0].entity.id, "us_ofac_sdn:16669");
    assert!(found.results.len() <= 2);
    assert!(found.total.value >= found.results.len());
    assert!(
        found.facets["datasets"]
            .values
            .iter()
            .any(|v| v.name == "us_ofac_sdn")
    );
    let page = yente::search(
        bundled(),
        "default",
        &SearchParams {
            q: "Arkady Rotenberg".into(),
            limit: 1,
            offset: 1,
            ..SearchParams::default()
        },
    )
    .unwrap();
    if found.results.len() == 2 {
        assert_eq!(page.results[0], found.results[1]);
    }
    let empty = yente::search(bundled(), "default", &SearchParams::default()).unwrap_err();
    assert_eq!(field_of(empty), "q");

    let entity = yente::entity(bundled(), "us_ofac_sdn:16669").unwrap();
    assert_eq!(entity.caption, "ROTENBERG, Arkady Romanovich");
    assert_eq!(
        yente::entity(bundled(), "us_ofac_sdn:0").unwrap_err(),
        YenteError::NotFound("us_ofac_sdn:0".into())
    );

    let lists = [ListMeta {
        source: "us_ofac_sdn".into(),
        date: Some("2024-05-03".into()),
    }];
    let catalog = yente::catalog(bundled(), "bundled", &lists);
    let names: Vec<&str> = catalog.datasets.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names[..2], ["default", "sanctions"]);
    for name in [
        "us_ofac_sdn",
        "un_sc_sanctions",
        "eu_fsf",
        "us_trade_csl",
        "us_bis_denied",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let sdn = catalog
        .datasets
        .iter()
        .find(|d| d.name == "us_ofac_sdn")
        .unwrap();
    assert_eq!(sdn.version, "2024-05-03");
    let total: usize = catalog.datasets[2..].iter().map(|d| d.entity_count).sum();
    assert_eq!(total, bundled().entities().len());
    assert_eq!(catalog.datasets[0].entity_count, total);
}
