//! The responses an operation can give because of how it is served rather
//! than what its handler decides, declared in the OpenAPI document here, in
//! one place, instead of on every handler:
//!
//! - 401 where a credential is required: the `Caller` and `GatewayCaller`
//!   extractors refuse a missing, malformed, unknown, expired or revoked one;
//! - 400 where the operation takes parameters or a body: the `ApiPath`,
//!   `ApiQuery` and `ApiJson` extractors refuse what does not decode;
//! - 500 under `/v1`: every operation there reads the database, which may
//!   fail (the body then carries no detail, see `ApiError::Internal`).
//!
//! What a handler itself refuses with (403, 404, 409, 422, …) stays in its
//! own `#[utoipa::path]`.

use crate::api::ErrorBody;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{
    AllOfBuilder, AnyOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type,
};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, OpenApi, Paths, Ref, RefOr, Response, ResponseBuilder};
use utoipa::ToSchema;

/// A response declared once under `components/responses`.
struct Common {
    status: &'static str,
    name: &'static str,
    description: &'static str,
}

const BAD_REQUEST: Common = Common {
    status: "400",
    name: "BadRequest",
    description: "`bad_request`: a path, query string or JSON body that does not decode",
};

const UNAUTHENTICATED: Common = Common {
    status: "401",
    name: "Unauthenticated",
    description: "No credential, or one that is malformed, unknown, expired or revoked \
                  (`missing_credential`, `malformed_credential`, `invalid_credential`, \
                  `credential_expired`, `credential_revoked`, `user_disabled`)",
};

const INTERNAL: Common = Common {
    status: "500",
    name: "Internal",
    description: "`internal`: the database failed; the server log has the details \
                  under the response's `x-request-id`",
};

/// Adds the common responses to every operation of `doc` that can give
/// them, and their definitions to `components/responses`.
pub(super) fn declare_common_responses(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    for common in [BAD_REQUEST, UNAUTHENTICATED, INTERNAL] {
        components
            .responses
            .insert(common.name.to_string(), RefOr::T(error_response(&common)));
    }
    let global_security = doc.security.clone().unwrap_or_default();
    for (path, op) in operations_mut(&mut doc.paths) {
        let mut common = Vec::new();
        if takes_input(op) {
            common.push(BAD_REQUEST);
        }
        if needs_credential(op, &global_security) {
            common.push(UNAUTHENTICATED);
        }
        if path.starts_with("/v1/") {
            common.push(INTERNAL);
        }
        for c in common {
            op.responses
                .responses
                .entry(c.status.to_string())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name(c.name)));
        }
    }
}

/// Every operation of the document, with its path.
fn operations_mut(paths: &mut Paths) -> impl Iterator<Item = (&str, &mut Operation)> {
    paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
        .map(move |op| (path.as_str(), op))
    })
}

fn error_response(common: &Common) -> Response {
    ResponseBuilder::new()
        .description(common.description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(Ref::from_schema_name(ErrorBody::name()))))
                .build(),
        )
        .build()
}

fn takes_input(op: &Operation) -> bool {
    op.request_body.is_some() || op.parameters.as_ref().is_some_and(|p| !p.is_empty())
}

/// Whether every security requirement of the operation (its own, else the
/// document's) names a scheme: an empty requirement means anonymous access.
fn needs_credential(op: &Operation, global: &[SecurityRequirement]) -> bool {
    let requirements = op.security.as_deref().unwrap_or(global);
    !requirements.is_empty()
        && requirements
            .iter()
            .all(|r| *r != SecurityRequirement::default())
}

/// Rules that tie fields of a request body together, which the fields'
/// own schemas cannot state: each body schema named here becomes the
/// `allOf` of what its type declares and the rule.
pub(super) fn declare_body_rules(doc: &mut OpenApi) {
    let flag = |value: bool| {
        ObjectBuilder::new()
            .schema_type(Type::Boolean)
            .enum_values(Some([value]))
            .build()
    };
    let with = |property: &str, schema: Schema| {
        ObjectBuilder::new()
            .property(property, schema)
            .required(property)
            .build()
    };
    let non_empty = || Schema::Array(ArrayBuilder::new().min_items(Some(1)).build());
    let empty = || Schema::Array(ArrayBuilder::new().max_items(Some(0)).build());
    // Grants and ungrants name at least one team, or all teams.
    let grants = AnyOfBuilder::new()
        .item(with("teams", non_empty()))
        .item(with("all_teams", Schema::Object(flag(true))))
        .description(Some("`teams` (at least one) or `all_teams`"))
        .build();
    // A new route names its teams or is for all teams, not both.
    let route_teams = OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .property("teams", non_empty())
                .property("all_teams", flag(false))
                .required("teams")
                .build(),
        )
        .item(
            ObjectBuilder::new()
                .property("teams", empty())
                .property("all_teams", flag(true))
                .required("all_teams")
                .build(),
        )
        .description(Some("`teams` (at least one) or `all_teams`, not both"))
        .build();
    // An invitation grants a team role or global admin; and without a
    // `name`, the e-mail's local part must be one.
    let invitation = AllOfBuilder::new()
        .item(
            AnyOfBuilder::new()
                .item(with("roles", non_empty()))
                .item(with("global_admin", Schema::Object(flag(true))))
                .description(Some("at least one of `roles`, or `global_admin`")),
        )
        .item(
            AnyOfBuilder::new()
                .item(with(
                    "name",
                    Schema::Object(ObjectBuilder::new().schema_type(Type::String).build()),
                ))
                .item(with(
                    "email",
                    Schema::Object(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some(format!(
                                "{}@",
                                crate::api::input::schema::NAME.trim_end_matches('$')
                            )))
                            .build(),
                    ),
                ))
                .description(Some(
                    "a `name`, or an `email` whose local part is a valid user name",
                )),
        )
        .build();
    let rules: [(&str, Schema); 3] = [
        ("RouteGrants", Schema::AnyOf(grants)),
        ("CreateRoute", Schema::OneOf(route_teams)),
        ("CreateInvitation", Schema::AllOf(invitation)),
    ];
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, rule) in rules {
        let declared = components
            .schemas
            .remove(name)
            .unwrap_or_else(|| panic!("no schema {name} in the document"));
        components.schemas.insert(
            name.to_string(),
            RefOr::T(Schema::AllOf(
                AllOfBuilder::new().item(declared).item(rule).build(),
            )),
        );
    }
}

/// Token references in URLs (a path's `reference`, a query's `token`) are
/// names or ids, never secrets: the server refuses one that looks like a
/// secret (400, see `tokens::resolve_token`), so that a secret never lands
/// in an access log. Stated once here for every operation that takes one.
pub(super) fn declare_token_references(doc: &mut OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    let takes_token = |path: &str, param: &str, location: &ParameterIn| match location {
        ParameterIn::Path => {
            param == "reference"
                && (path.starts_with("/v1/tokens/") || path.starts_with("/v1/usage/tokens/"))
        }
        ParameterIn::Query => param == "token" && path == "/v1/usage/recent",
        _ => false,
    };
    for (path, op) in operations_mut(&mut doc.paths) {
        for param in op.parameters.iter_mut().flatten() {
            if !takes_token(path, &param.name, &param.parameter_in) {
                continue;
            }
            if let Some(RefOr::T(Schema::Object(schema))) = &mut param.schema {
                schema.pattern = Some(crate::api::input::schema::NOT_A_SECRET.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::api::input::schema::{NAME, NOT_A_SECRET, SCOPE, TEAM_NAME};
    use serde_json::Value;

    fn doc() -> Value {
        serde_json::to_value(super::super::openapi()).unwrap()
    }

    #[test]
    fn the_document_states_the_input_rules() {
        let doc = doc();
        let schemas = &doc["components"]["schemas"];
        let token = &schemas["CreateToken"]["properties"];
        assert_eq!(token["name"]["pattern"], NAME);
        assert_eq!(token["scopes"]["items"]["pattern"], SCOPE);
        assert_eq!(token["scopes"]["minItems"], 1);
        assert_eq!(
            schemas["CreateTeam"]["properties"]["name"]["pattern"],
            TEAM_NAME
        );
        // Cross-field rules wrap the type's own schema.
        for name in ["RouteGrants", "CreateRoute", "CreateInvitation"] {
            assert_eq!(
                schemas[name]["allOf"].as_array().map(Vec::len),
                Some(2),
                "{name}: {}",
                schemas[name]
            );
        }
        let reference = &doc["paths"]["/v1/tokens/{reference}"]["get"]["parameters"][0];
        assert_eq!(reference["name"], "reference");
        assert_eq!(reference["schema"]["pattern"], NOT_A_SECRET);
        assert_eq!(reference["example"], "n8n-prod");
        let limit = doc["paths"]["/v1/usage/tokens"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "limit")
            .cloned()
            .unwrap();
        assert_eq!(limit["schema"]["minimum"], 1);
        assert_eq!(limit["schema"]["maximum"], 1000);
        // Every paged list states its page size and cursor exactly, and
        // answers a page.
        for list in ["tokens", "users", "teams", "routes", "audit"] {
            let op = &doc["paths"][format!("/v1/{list}")]["get"];
            let param = |name: &str| {
                op["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["name"] == name)
                    .cloned()
                    .unwrap_or_else(|| panic!("{list}: no {name}"))
            };
            let limit = param("limit");
            assert_eq!(limit["schema"]["minimum"], 1, "{list}");
            assert_eq!(
                limit["schema"]["maximum"],
                crate::api::paging::MAX_PAGE,
                "{list}"
            );
            let cursor = param("cursor");
            assert_eq!(
                cursor["schema"]["pattern"],
                crate::api::input::schema::CURSOR
            );
            assert_eq!(cursor["required"], false);
            let page = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap()
                .trim_start_matches("#/components/schemas/");
            let page = &schemas[page]["properties"];
            assert_eq!(page["items"]["type"], "array", "{list}");
            assert!(page["next_cursor"].is_object(), "{list}");
        }
    }
}
