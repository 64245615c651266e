//! Request extractors that reject bad input with `{code, message, details}` instead of
//! axum's plain-text answers.

use axum::{
    extract::{FromRequest, FromRequestParts, Request, rejection::JsonRejection},
    http::{StatusCode, request::Parts},
};
use pos_shared::error::WireError;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Json<T>` whose failures are 400 (syntax, types, missing fields, with the field path in
/// `details`), 413 (too large) or 415 (not JSON).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut bytes = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(rejection) => return Err(json_rejection(rejection)),
        };
        integral_floats_as_integers(&mut bytes);
        if bytes.is_array() && wants_object::<T>() {
            // serde reads a struct from an array of its fields in order; the API's bodies
            // are objects, and `[null, null]` must not pass for `{}`.
            return Err(ApiError::BadRequest(WireError::new(
                "invalid_body",
                "the JSON body must be an object, not an array",
            )));
        }
        serde_path_to_error::deserialize::<_, T>(bytes)
            .map(ApiJson)
            .map_err(|e| {
                let field = match e.path().to_string() {
                    p if p == "." => field_of(&e.inner().to_string()),
                    p => p,
                };
                let reason = e.inner().to_string();
                ApiError::BadRequest(
                    WireError::new(
                        "invalid_body",
                        format!("the JSON body is not valid at `{field}`: {reason}"),
                    )
                    .with_field(field, reason),
                )
            })
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(WireError::new(
            "unsupported_media_type",
            "send the body as JSON with `Content-Type: application/json`",
        )),
        _ => ApiError::BadRequest(WireError::new(
            "bad_json",
            format!("the body is not valid JSON: {}", rejection.body_text()),
        )),
    }
}

/// JSON has one number type: `2.0` is the integer 2 to JSON Schema (and to the OpenAPI
/// document's `integer` fields) and to JavaScript, while serde refuses it for an integer
/// field. Whole numbers that fit an i64 are therefore read as integers; a fraction
/// still fails where an integer is expected.
fn integral_floats_as_integers(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) if n.is_f64() => {
            let Some(f) = n.as_f64() else { return };
            // Below 2^63 in size every whole f64 converts to an i64 exactly.
            const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
            if f.fract() == 0.0 && f.abs() < TWO_POW_63 {
                let i = f as i64;
                *v = serde_json::Value::from(i);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        serde_json::Value::Object(fields) => {
            fields.values_mut().for_each(integral_floats_as_integers);
        }
        _ => {}
    }
}

/// True when `T` deserializes from a map or struct: asked once of a deserializer that
/// only records which shape was requested.
fn wants_object<'de, T: serde::Deserialize<'de>>() -> bool {
    use serde::de::{Error as _, Visitor, value::Error};

    struct Probe<'a>(&'a std::cell::Cell<bool>);

    impl<'de> serde::Deserializer<'de> for Probe<'_> {
        type Error = Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
            Err(Error::custom("probe"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            _: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Error> {
            self.0.set(true);
            Err(Error::custom("probe"))
        }

        fn deserialize_map<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
            self.0.set(true);
            Err(Error::custom("probe"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct enum
            identifier ignored_any
        }
    }

    let asked = std::cell::Cell::new(false);
    let _ = T::deserialize(Probe(&asked));
    asked.get()
}

/// Best effort: serde_json names the offending field in backticks.
fn field_of(reason: &str) -> String {
    reason
        .split('`')
        .nth(1)
        .map_or_else(|| "body".to_string(), str::to_string)
}

/// A UUID path segment; anything else is a 404 (an id that cannot exist is not found).
#[derive(Debug, Clone, Copy)]
pub struct IdPath(pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::not_found("object"))?;
        raw.parse()
            .map(IdPath)
            .map_err(|_| ApiError::not_found("object"))
    }
}

/// Two UUID path segments, such as `/shops/{shop}/staff/{user}`.
#[derive(Debug, Clone, Copy)]
pub struct IdPath2(pub uuid::Uuid, pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPath2 {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path((a, b)) =
            axum::extract::Path::<(String, String)>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::not_found("object"))?;
        match (a.parse(), b.parse()) {
            (Ok(a), Ok(b)) => Ok(IdPath2(a, b)),
            _ => Err(ApiError::not_found("object")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_floats_are_integers_and_fractions_stay() {
        let mut v = serde_json::json!({ "a": 2.0, "b": [-84.0, 1.5], "c": 1e300, "d": 7 });
        integral_floats_as_integers(&mut v);
        assert_eq!(
            v,
            serde_json::json!({ "a": 2, "b": [-84, 1.5], "c": 1e300, "d": 7 })
        );
        assert!(serde_json::from_value::<i64>(v["a"].clone()).is_ok());
    }

    #[test]
    fn structs_want_objects_and_lists_do_not() {
        #[derive(serde::Deserialize)]
        #[expect(dead_code, reason = "only its shape is asked")]
        struct Body {
            a: Option<i64>,
        }
        assert!(wants_object::<Body>());
        assert!(wants_object::<std::collections::HashMap<String, i64>>());
        assert!(!wants_object::<Vec<Body>>());
        assert!(!wants_object::<serde_json::Value>());
    }

    #[test]
    fn field_is_taken_from_serde_message() {
        assert_eq!(
            field_of("missing field `email` at line 1 column 2"),
            "email"
        );
        assert_eq!(field_of("expected a string"), "body");
    }
}
