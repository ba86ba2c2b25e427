//! Request extractors whose every rejection is an [`ApiError`] naming what is wrong: a JSON body
//! read within a limit and decoded with the path of the field at fault, query strings and path
//! parameters that refuse what they do not know.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest JSON body of an ordinary route, in bytes.
pub const JSON_BODY_BYTES_MAX: usize = 1024 * 1024;

/// A JSON body of at most `LIMIT` bytes, decoded into `T`.
#[derive(Debug)]
pub struct JsonBody<T, const LIMIT: usize = JSON_BODY_BYTES_MAX>(pub T);

/// A JSON body that may be left out, decoded into `T`: no body at all is `T::default()`; a
/// body is taken as [`JsonBody`] takes it.
#[derive(Debug)]
pub struct OptionalJsonBody<T, const LIMIT: usize = JSON_BODY_BYTES_MAX>(pub T);

/// The raw bytes of a body of at most `LIMIT` bytes (bank files, list files).
#[derive(Debug)]
pub struct RawBody<const LIMIT: usize>(pub Bytes);

/// Reads the whole body within `limit`; a longer one is 413 whatever its headers claimed.
pub async fn read_body(request: Request, limit: usize) -> Result<Bytes, ApiError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::too_large(limit));
    }
    axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|e| {
            // The only failures of a body read within a limit: the limit, or the client went away.
            let text = format!("{e:#}");
            if text.contains("length limit") {
                ApiError::too_large(limit)
            } else {
                ApiError::bad_request("body_unreadable", "the body could not be read")
            }
        })
}

/// Decodes JSON into `T`, naming the field at fault: syntax errors are 400 `malformed_json`,
/// a wrong type, a missing or an unknown field 422 `invalid_field` with its path.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = value.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            return ApiError::bad_request(
                "malformed_json",
                format!("the body is not JSON: {inner}"),
            );
        }
        // serde stops at the first thing it cannot take, which may come before a syntax error
        // further on (`{"a": }` meets the unknown field `a` first): a body that is not JSON at
        // all is 400 whatever was met first. Checked on this error path only.
        if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err() {
            return ApiError::bad_request(
                "malformed_json",
                format!("the body is not JSON: {inner}"),
            );
        }
        let message = inner.to_string();
        ApiError::invalid(field_path(&path, &message), plain(&message))
    })?;
    de.end().map_err(|e| {
        ApiError::bad_request("malformed_json", format!("the body is not JSON: {e}"))
    })?;
    Ok(value)
}

/// The path of the field a serde message is about: for "unknown field `x`" and "missing field
/// `x`", the field itself below the path where it was met.
fn field_path(path: &str, message: &str) -> String {
    let named = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|p| message.strip_prefix(p))
        .and_then(|rest| rest.split('`').next());
    let base = if path == "." { "" } else { path };
    match named {
        Some(name) if base.is_empty() => name.to_owned(),
        Some(name) if !base.ends_with(name) => format!("{base}.{name}"),
        _ if base.is_empty() => "(body)".to_owned(),
        _ => base.to_owned(),
    }
}

/// Whether a request says its body is JSON.
fn is_json(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let essence = v.split(';').next().unwrap_or("").trim();
            essence.eq_ignore_ascii_case("application/json")
        })
}

/// The answer to a body that is not said to be JSON.
fn not_json() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "the body must be JSON (Content-Type: application/json)",
    )
}

impl<S: Send + Sync, T: DeserializeOwned, const LIMIT: usize> FromRequest<S>
    for JsonBody<T, LIMIT>
{
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        if !is_json(&request) {
            return Err(not_json());
        }
        let bytes = read_body(request, LIMIT).await?;
        Ok(JsonBody(decode(&bytes)?))
    }
}

impl<S: Send + Sync, T: DeserializeOwned + Default, const LIMIT: usize> FromRequest<S>
    for OptionalJsonBody<T, LIMIT>
{
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        let json = is_json(&request);
        let bytes = read_body(request, LIMIT).await?;
        if bytes.is_empty() {
            return Ok(OptionalJsonBody(T::default()));
        }
        if !json {
            return Err(not_json());
        }
        Ok(OptionalJsonBody(decode(&bytes)?))
    }
}

impl<S: Send + Sync, const LIMIT: usize> FromRequest<S> for RawBody<LIMIT> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        Ok(RawBody(read_body(request, LIMIT).await?))
    }
}

/// A query string decoded into `T` (whose fields refuse unknown names).
#[derive(Debug)]
pub struct QueryOf<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryOf<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded_decode(query).map(QueryOf)
    }
}

fn serde_urlencoded_decode<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}")
            .parse()
            .map_err(|_| ApiError::bad_request("bad_query", "the query string is not readable"))?,
    )
    .map(|q| q.0)
    .map_err(|e| {
        let message = std::error::Error::source(&e)
            .map(ToString::to_string)
            .unwrap_or_else(|| e.body_text());
        let named = ["unknown field `", "missing field `", "field `"]
            .iter()
            .find_map(|p| message.split(p).nth(1))
            .and_then(|rest| rest.split('`').next());
        // A value that does not fit its type: axum's message starts with the parameter's path
        // (`limit: invalid digit found in string`).
        let at_path = message
            .split_once(": ")
            .map(|(path, _)| path)
            .filter(|p| !p.is_empty() && *p != "." && !p.contains(char::is_whitespace));
        let field = named.or(at_path).unwrap_or("(query)").to_owned();
        ApiError::invalid(field, format!("query: {}", plain(&message)))
    })
}

/// Path parameters; a value that does not fit its type is a 400 naming the parameter.
#[derive(Debug)]
pub struct PathOf<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathOf<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(p) => Ok(PathOf(p.0)),
            Err(e) => Err(path_error(parts, state, &e).await),
        }
    }
}

/// A path parameter that does not fit its type, named (axum's own message names the Rust type
/// it wanted, and for a lone or positional parameter not the parameter).
async fn path_error<S: Send + Sync>(parts: &mut Parts, state: &S, e: &PathRejection) -> ApiError {
    use axum::extract::path::ErrorKind;
    let names: Vec<String> = RawPathParams::from_request_parts(parts, state)
        .await
        .map(|raw| raw.iter().map(|(name, _)| name.to_owned()).collect())
        .unwrap_or_default();
    let PathRejection::FailedToDeserializePathParams(failed) = e else {
        return ApiError::bad_request("bad_path", "the path cannot be read");
    };
    let (name, expected) = match failed.kind() {
        ErrorKind::ParseErrorAtKey {
            key, expected_type, ..
        } => (Some(key.clone()), *expected_type),
        ErrorKind::ParseErrorAtIndex {
            index,
            expected_type,
            ..
        } => (names.get(*index).cloned(), *expected_type),
        ErrorKind::ParseError { expected_type, .. } if names.len() == 1 => {
            (names.first().cloned(), *expected_type)
        }
        _ => (None, ""),
    };
    match name {
        Some(name) => ApiError::bad_request(
            "bad_path",
            format!("path parameter `{name}` is not {}", plain(expected)),
        )
        .with_field(name),
        None => ApiError::bad_request("bad_path", plain(&failed.body_text())),
    }
}

/// A serde or axum message with Rust's names put in words: "expected u64" becomes "expected a
/// whole number of 0 or more", "expected struct MoneyRepr" "expected an object".
pub fn plain(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut words = message.split(' ').peekable();
    while let Some(word) = words.next() {
        if !out.is_empty() {
            out.push(' ');
        }
        let bare = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        let (lead, trail) = word.split_at(word.find(bare).unwrap_or(0));
        let trail = &trail[bare.len()..];
        let said = match bare {
            "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number of 0 or more",
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
            "f32" | "f64" => "a number",
            "struct" | "enum" => {
                // The type's name that follows goes with it.
                let rest = words.next().unwrap_or("");
                let tail = rest.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
                out.push_str(lead);
                out.push_str(if bare == "struct" {
                    "an object"
                } else {
                    "one of its values"
                });
                out.push_str(tail);
                continue;
            }
            _ => bare,
        };
        out.push_str(lead);
        out.push_str(said);
        out.push_str(trail);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        lines: Vec<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        qty: u32,
    }

    fn field(json: &str) -> (u16, Option<String>) {
        let e = decode::<Outer>(json.as_bytes()).unwrap_err();
        (e.status.as_u16(), e.field)
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Page {
        limit: Option<usize>,
        cursor: Option<String>,
    }

    fn query_field(query: &str) -> Option<String> {
        serde_urlencoded_decode::<Page>(query).unwrap_err().field
    }

    #[test]
    fn rust_names_are_put_in_words() {
        assert_eq!(
            plain("invalid type: integer `5`, expected struct MoneyRepr at line 1 column 11"),
            "invalid type: integer `5`, expected an object at line 1 column 11"
        );
        assert_eq!(
            plain("invalid value: integer `-1`, expected usize"),
            "invalid value: integer `-1`, expected a whole number of 0 or more"
        );
        assert_eq!(
            plain("Cannot parse `x` to a `u64`"),
            "Cannot parse `x` to a `a whole number of 0 or more`"
        );
        assert_eq!(
            plain("expected enum Verdict,"),
            "expected one of its values,"
        );
        assert_eq!(plain("unknown field `x`"), "unknown field `x`");
    }

    #[test]
    fn every_query_error_names_its_parameter() {
        assert_eq!(query_field("limit=ten"), Some("limit".into()));
        assert_eq!(query_field("limit=-1"), Some("limit".into()));
        assert_eq!(query_field("colour=red"), Some("colour".into()));
        assert_eq!(query_field("limit=1&bogus"), Some("bogus".into()));
    }

    #[test]
    fn every_decoding_error_names_its_field() {
        assert_eq!(field("{"), (400, None));
        // Not JSON at all, though an array where an object is due comes first.
        assert_eq!(field("[]x"), (400, None));
        assert_eq!(field("[]"), (422, Some("(body)".into())));
        assert_eq!(field(r#"{"name":"a","lines":[]} x"#), (400, None));
        assert_eq!(field(r#"{"a": }"#), (400, None));
        assert_eq!(field(r#"{"name": 1, "#), (400, None));
        assert_eq!(field(r#"{"lines":[]}"#), (422, Some("name".into())));
        assert_eq!(
            field(r#"{"name":1,"lines":[]}"#),
            (422, Some("name".into()))
        );
        assert_eq!(
            field(r#"{"name":"a","lines":[{"qty":1},{"qty":-1}]}"#),
            (422, Some("lines[1].qty".into()))
        );
        assert_eq!(
            field(r#"{"name":"a","lines":[{"qty":1,"colour":"red"}]}"#),
            (422, Some("lines[0].colour".into()))
        );
        assert_eq!(
            field(r#"{"name":"a","lines":[],"extra":true}"#),
            (422, Some("extra".into()))
        );
    }
}
