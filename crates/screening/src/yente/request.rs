//! The body of a `/match` request, read from JSON with an error that names the field
//! (`queries.q1.properties.name[2]`), and the query-string parameters.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::YenteError;

/// Most queries in one `/match` request (yente's `MAX_BATCH`).
pub const MATCH_QUERIES_MAX: usize = 100;
/// Longest query key (`q1`, a customer id …), in characters.
pub const QUERY_KEY_CHARS_MAX: usize = 200;
/// Most properties one query gives.
pub const PROPERTIES_PER_QUERY_MAX: usize = 64;
/// Longest property name, in characters (FollowTheMoney's longest is ~25).
pub const PROPERTY_NAME_CHARS_MAX: usize = 64;
/// Most values one property of a query gives.
pub const VALUES_PER_PROPERTY_MAX: usize = 100;
/// Longest property value, in characters (a name is cut at 500 by the normaliser; an address
/// may be longer).
pub const VALUE_CHARS_MAX: usize = 1_000;
/// Longest entity id or schema name given with a query, in characters.
pub const ID_CHARS_MAX: usize = 200;

/// A `/match` request: named entity queries shaped like yente's `EntityMatchQuery`
/// (`{"queries": {"q1": {"schema": "Person", "properties": {"name": ["…"]}}}}`). Other top-level
/// fields yente knows (`weights`, `config`) tune its own algorithms and are ignored.
///
/// Deserialised through [`MatchRequest::from_value`], so that a wrong shape is an error naming
/// the field; the limits are checked there too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub struct MatchRequest {
    pub queries: BTreeMap<String, EntityQuery>,
}

/// One entity described by example: a FollowTheMoney schema and property values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub schema: String,
    /// Property name → values (yente also takes one string for a list of one).
    pub properties: BTreeMap<String, Vec<String>>,
}

impl TryFrom<Value> for MatchRequest {
    type Error = YenteError;

    fn try_from(body: Value) -> Result<MatchRequest, YenteError> {
        MatchRequest::from_value(body)
    }
}

impl MatchRequest {
    /// Reads a request body: the JSON error, or the first field that is wrong.
    pub fn from_json(body: &[u8]) -> Result<MatchRequest, YenteError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| YenteError::invalid("body", format!("not JSON: {e}")))?;
        MatchRequest::from_value(value)
    }

    /// Reads a request from parsed JSON, checking its shape and limits.
    pub fn from_value(body: Value) -> Result<MatchRequest, YenteError> {
        let Value::Object(mut body) = body else {
            return Err(YenteError::invalid("body", "expected a JSON object"));
        };
        let queries = match body.remove("queries") {
            Some(Value::Object(queries)) => queries,
            Some(_) => return Err(YenteError::invalid("queries", "expected an object")),
            None => return Err(YenteError::invalid("queries", "missing")),
        };
        check_query_count(queries.len())?;
        let mut read = BTreeMap::new();
        for (key, query) in queries {
            let parsed = entity_query(&key, query)?;
            read.insert(key, parsed);
        }
        let request = MatchRequest { queries: read };
        request.check()?;
        Ok(request)
    }

    /// Checks the limits (also of a request built in code rather than read).
    pub fn check(&self) -> Result<(), YenteError> {
        check_query_count(self.queries.len())?;
        for (key, query) in &self.queries {
            check_key(key)?;
            let at = format!("queries.{key}");
            check_len(&format!("{at}.schema"), &query.schema, ID_CHARS_MAX)?;
            if let Some(id) = &query.id {
                check_len(&format!("{at}.id"), id, ID_CHARS_MAX)?;
            }
            if query.properties.len() > PROPERTIES_PER_QUERY_MAX {
                return Err(YenteError::invalid(
                    format!("{at}.properties"),
                    format!(
                        "{} properties; at most {PROPERTIES_PER_QUERY_MAX} are accepted",
                        query.properties.len()
                    ),
                ));
            }
            for (name, values) in &query.properties {
                check_property(&format!("{at}.properties"), name, values)?;
            }
        }
        Ok(())
    }
}

fn check_query_count(count: usize) -> Result<(), YenteError> {
    if count == 0 {
        return Err(YenteError::invalid("queries", "no query given"));
    }
    if count > MATCH_QUERIES_MAX {
        return Err(YenteError::invalid(
            "queries",
            format!("{count} queries; at most {MATCH_QUERIES_MAX} are accepted in one request"),
        ));
    }
    Ok(())
}

fn check_key(key: &str) -> Result<(), YenteError> {
    if key.trim().is_empty() {
        return Err(YenteError::invalid("queries", "a query key is empty"));
    }
    let chars = key.chars().count();
    if chars > QUERY_KEY_CHARS_MAX {
        return Err(YenteError::invalid(
            "queries",
            format!("a query key is {chars} characters long; at most {QUERY_KEY_CHARS_MAX}"),
        ));
    }
    Ok(())
}

fn check_len(field: &str, text: &str, max: usize) -> Result<(), YenteError> {
    let chars = text.chars().count();
    if chars > max {
        return Err(YenteError::invalid(
            field,
            format!("{chars} characters long; at most {max} are accepted"),
        ));
    }
    Ok(())
}

fn check_property(at: &str, name: &str, values: &[String]) -> Result<(), YenteError> {
    check_len(&format!("{at}.{name}"), name, PROPERTY_NAME_CHARS_MAX)?;
    if values.len() > VALUES_PER_PROPERTY_MAX {
        return Err(YenteError::invalid(
            format!("{at}.{name}"),
            format!(
                "{} values; at most {VALUES_PER_PROPERTY_MAX} are accepted",
                values.len()
            ),
        ));
    }
    for (i, value) in values.iter().enumerate() {
        check_len(&format!("{at}.{name}[{i}]"), value, VALUE_CHARS_MAX)?;
    }
    Ok(())
}

/// One query object: `schema` (a string), `properties` (an object), `id` (optional).
fn entity_query(key: &str, query: Value) -> Result<EntityQuery, YenteError> {
    check_key(key)?;
    let at = format!("queries.{key}");
    let Value::Object(mut query) = query else {
        return Err(YenteError::invalid(at, "expected an object"));
    };
    let schema = match query.remove("schema") {
        Some(Value::String(schema)) => schema,
        Some(_) => {
            return Err(YenteError::invalid(
                format!("{at}.schema"),
                "expected a string",
            ));
        }
        None => return Err(YenteError::invalid(format!("{at}.schema"), "missing")),
    };
    let id = match query.remove("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id),
        Some(_) => return Err(YenteError::invalid(format!("{at}.id"), "expected a string")),
    };
    let properties = match query.remove("properties") {
        Some(Value::Object(properties)) => properties,
        Some(_) => {
            return Err(YenteError::invalid(
                format!("{at}.properties"),
                "expected an object of property name → list of values",
            ));
        }
        None => return Err(YenteError::invalid(format!("{at}.properties"), "missing")),
    };
    if properties.len() > PROPERTIES_PER_QUERY_MAX {
        return Err(YenteError::invalid(
            format!("{at}.properties"),
            format!(
                "{} properties; at most {PROPERTIES_PER_QUERY_MAX} are accepted",
                properties.len()
            ),
        ));
    }
    let mut read = BTreeMap::new();
    for (name, value) in properties {
        let values = property_values(&format!("{at}.properties.{name}"), value)?;
        if !values.is_empty() {
            read.insert(name, values);
        }
    }
    Ok(EntityQuery {
        id,
        schema,
        properties: read,
    })
}

/// A property's values: a list of strings (numbers taken as their text, `null` and blank
/// strings skipped), or one string. Values are trimmed.
fn property_values(field: &str, value: Value) -> Result<Vec<String>, YenteError> {
    let items = match value {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        one => vec![one],
    };
    if items.len() > VALUES_PER_PROPERTY_MAX {
        return Err(YenteError::invalid(
            field,
            format!(
                "{} values; at most {VALUES_PER_PROPERTY_MAX} are accepted",
                items.len()
            ),
        ));
    }
    let mut values = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let text = match item {
            Value::String(text) => text,
            Value::Number(number) => number.to_string(),
            Value::Null => continue,
            _ => {
                return Err(YenteError::invalid(
                    format!("{field}[{i}]"),
                    "expected a string or a number",
                ));
            }
        };
        let text = text.trim();
        if !text.is_empty() {
            check_len(&format!("{field}[{i}]"), text, VALUE_CHARS_MAX)?;
            values.push(text.to_owned());
        }
    }
    Ok(values)
}

/// A query-string list given once (`topics=sanction`, what `serde_urlencoded` hands over) or
/// repeated (`topics=a&topics=b`, `serde_html_form`), or a JSON list.
pub(crate) fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(body: Value) -> String {
        match MatchRequest::from_value(body).unwrap_err() {
            YenteError::InvalidField { field, .. } => field,
            other => panic!("not a field error: {other}"),
        }
    }

    #[test]
    fn reads_the_shape_yente_documents() {
        let request = MatchRequest::from_value(json!({
            "queries": {
                "entity1": {
                    "schema": "Person",
                    "properties": {
                        "name": ["John Doe", "  "],
                        "birthDate": "1975-04-21",
                        "nationality": ["us", null],
                        "idNumber": [12345]
                    }
                }
            },
            "weights": {"name_literal": 0.8}
        }))
        .unwrap();
        let query = &request.queries["entity1"];
        assert_eq!(query.schema, "Person");
        assert_eq!(query.properties["name"], ["John Doe"]);
        assert_eq!(query.properties["birthDate"], ["1975-04-21"]);
        assert_eq!(query.properties["nationality"], ["us"]);
        assert_eq!(query.properties["idNumber"], ["12345"]);
    }

    #[test]
    fn each_error_names_its_field() {
        assert_eq!(field(json!([])), "body");
        assert_eq!(field(json!({})), "queries");
        assert_eq!(field(json!({"queries": []})), "queries");
        assert_eq!(field(json!({"queries": {}})), "queries");
        assert_eq!(field(json!({"queries": {"q1": 3}})), "queries.q1");
        assert_eq!(
            field(json!({"queries": {"q1": {"properties": {}}}})),
            "queries.q1.schema"
        );
        assert_eq!(
            field(json!({"queries": {"q1": {"schema": 1, "properties": {}}}})),
            "queries.q1.schema"
        );
        assert_eq!(
            field(json!({"queries": {"q1": {"schema": "Person"}}})),
            "queries.q1.properties"
        );
        assert_eq!(
            field(json!({"queries": {"q1": {"schema": "Person",
                "properties": {"name": ["a", {"x": 1}]}}}})),
            "queries.q1.properties.name[1]"
        );
        let long = "x".repeat(VALUE_CHARS_MAX + 1);
        assert_eq!(
            field(json!({"queries": {"q1": {"schema": "Person",
                "properties": {"name": [long]}}}})),
            "queries.q1.properties.name[0]"
        );
        let many: Vec<String> = (0..=VALUES_PER_PROPERTY_MAX)
            .map(|i| i.to_string())
            .collect();
        assert_eq!(
            field(json!({"queries": {"q1": {"schema": "Person",
                "properties": {"alias": many}}}})),
            "queries.q1.properties.alias"
        );
    }

    #[test]
    fn more_than_the_most_queries_is_refused_naming_queries() {
        let query = json!({"schema": "Person", "properties": {"name": ["A B"]}});
        let mut queries = serde_json::Map::new();
        for i in 0..MATCH_QUERIES_MAX {
            queries.insert(format!("q{i}"), query.clone());
        }
        let body = json!({ "queries": queries.clone() });
        assert_eq!(MatchRequest::from_value(body).unwrap().queries.len(), 100);
        queries.insert("one-more".into(), query);
        let error = MatchRequest::from_value(json!({ "queries": queries })).unwrap_err();
        assert_eq!(
            error,
            YenteError::InvalidField {
                field: "queries".into(),
                message: "101 queries; at most 100 are accepted in one request".into()
            }
        );
    }

    #[test]
    fn serde_goes_through_the_same_checks() {
        let error = serde_json::from_str::<MatchRequest>(r#"{"queries": {"q": {"schema": 5}}}"#)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("queries.q.schema: expected a string"),
            "{error}"
        );
        let request: MatchRequest = serde_json::from_str(
            r#"{"queries": {"q": {"schema": "Company", "properties": {"name": "ACME"}}}}"#,
        )
        .unwrap();
        let again: MatchRequest =
            serde_json::from_value(serde_json::to_value(&request).unwrap()).unwrap();
        assert_eq!(again, request);
    }
}
