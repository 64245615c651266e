//! What holds for every operation and is therefore written once here instead of on each
//! handler: the ids in a path template are declared parameters, and the error answers the
//! gateway and the shared extractors give are listed (a client generated from the document
//! must know every status it can meet).

use utoipa::{
    Modify,
    openapi::{
        Content, OpenApi, Ref, RefOr, Required, Response, ResponseBuilder, Type,
        header::HeaderBuilder,
        path::{Operation, Parameter, ParameterBuilder, ParameterIn},
        schema::{KnownFormat, ObjectBuilder, SchemaFormat},
    },
};

/// `(status, component name, description)` of the shared error answers.
const ERRORS: [(&str, &str, &str); 8] = [
    (
        "400",
        "BadRequest",
        "The request does not parse: a query parameter, header or JSON body of the wrong type or shape (`details` names the field).",
    ),
    (
        "401",
        "Unauthorized",
        "No valid credentials: the bearer token is missing, expired or revoked.",
    ),
    (
        "403",
        "Forbidden",
        "Authenticated, but this role (or a terminal's device token) may not do this.",
    ),
    (
        "404",
        "NotFound",
        "No such object for this caller. Another tenant's objects, and ids that cannot exist, look the same.",
    ),
    (
        "413",
        "PayloadTooLarge",
        "The body is larger than this server accepts.",
    ),
    (
        "415",
        "UnsupportedMediaType",
        "The body is not sent as `application/json`.",
    ),
    (
        "429",
        "TooManyRequests",
        "Too many requests from this address; retry after `Retry-After` seconds.",
    ),
    (
        "503",
        "Unavailable",
        "A dependency (MongoDB, RabbitMQ) is unavailable; retry later.",
    ),
];

pub struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (status, name, description) in ERRORS {
            components.responses.insert(
                name.to_string(),
                RefOr::T(error_response(status, description)),
            );
        }
        for (path, item) in &mut openapi.paths.paths {
            let names = template_names(path);
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                declare_path_ids(op, &names);
                list_errors(op);
            }
        }
    }
}

fn error_response(status: &str, description: &str) -> Response {
    let mut r = ResponseBuilder::new().description(description).content(
        "application/json",
        Content::new(Some(Ref::from_schema_name("WireError"))),
    );
    if status == "429" {
        let seconds = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1));
        r = r.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(seconds))
                .description(Some("Seconds to wait before retrying."))
                .build(),
        );
    }
    r.build()
}

/// `{shop}` and `{product}` in `/api/shops/{shop}/prices/{product}`.
fn template_names(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(str::to_string)
        .collect()
}

/// Every `{name}` in the template the handler did not declare itself is an object id: a
/// UUID (`IdPath` answers 404 to anything else).
fn declare_path_ids(op: &mut Operation, names: &[String]) {
    let params = op.parameters.get_or_insert_with(Vec::new);
    for name in names {
        let declared = params.iter().any(|p| match p {
            RefOr::T(p) => p.name == *name && p.parameter_in == ParameterIn::Path,
            RefOr::Ref(_) => false,
        });
        if !declared {
            params.push(RefOr::T(uuid_path_param(name)));
        }
    }
}

fn uuid_path_param(name: &str) -> Parameter {
    let what = if name == "id" { "object" } else { name };
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(format!("The {what}'s id (a UUID).")))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
        ))
        .build()
}

/// The answers the gateway can give to any request it routes here, by what the operation
/// takes: every request may be rate limited or meet a store that is down; a secured one may
/// lack credentials or the role; ids in the path or query may name nothing; parameters and bodies may
/// not parse, and bodies may be too large or not JSON.
fn list_errors(op: &mut Operation) {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let params = op.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn| {
        params
            .iter()
            .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
    };
    let (in_path, in_query, in_header) = (
        has(ParameterIn::Path),
        has(ParameterIn::Query),
        has(ParameterIn::Header),
    );
    // `?shop_id=` names an object as a path id does: one the caller cannot see is a 404.
    let id_in_query = params
        .iter()
        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query && p.name.ends_with("_id")));
    let body = op.request_body.is_some();
    for (status, name, _) in ERRORS {
        let applies = match status {
            "400" => in_query || in_header || body,
            "401" | "403" => secured,
            "404" => in_path || id_in_query,
            "413" | "415" => body,
            _ => true,
        };
        if applies && !op.responses.responses.contains_key(status) {
            op.responses.responses.insert(
                status.to_string(),
                RefOr::Ref(Ref::from_response_name(name)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_id_is_declared_and_every_token_check_documented() {
        use utoipa::OpenApi as _;
        let doc = serde_json::to_value(crate::openapi::ApiDoc::openapi()).unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let declared: Vec<&str> = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "path")
                    .filter_map(|p| p["name"].as_str())
                    .collect();
                for name in template_names(path) {
                    assert!(
                        declared.contains(&name.as_str()),
                        "{method} {path}: `{name}`"
                    );
                }
                let responses = &op["responses"];
                assert!(responses.get("429").is_some(), "{method} {path}: 429");
                if op.get("security").is_some() {
                    assert!(responses.get("401").is_some(), "{method} {path}: 401");
                }
            }
        }
    }

    #[test]
    fn template_names_are_the_braced_segments() {
        assert_eq!(
            template_names("/api/shops/{shop}/prices/{product}"),
            ["shop", "product"]
        );
        assert!(template_names("/api/health").is_empty());
    }
}
