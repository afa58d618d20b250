//! Error answers that many operations share, declared once for their
//! `#[utoipa::path(responses(...))]`: an operation lists its failures by
//! name (`responses((status = 200, body = Route), NotFound, Invalid)`), and
//! each name says the same thing wherever it appears. Answers particular to
//! one operation stay written out beside it. The answers every operation
//! can give (400, 401, 500) are added by `contract::declare_common_responses`.
//!
//! The types are never built: they exist for the document only.
#![allow(dead_code)]

use crate::api::ErrorBody;
use utoipa::IntoResponses;

/// 403 `forbidden`.
#[derive(IntoResponses)]
#[response(
    status = 403,
    description = "`forbidden`: the caller's roles do not allow this"
)]
pub struct Forbidden(ErrorBody);

/// 404 `not_found`.
#[derive(IntoResponses)]
#[response(
    status = 404,
    description = "`not_found`: no such object, or none the caller may see"
)]
pub struct NotFound(ErrorBody);

/// 404 for a `team` named in the query or body.
#[derive(IntoResponses)]
#[response(status = 404, description = "No such team (`team`)")]
pub struct UnknownTeam(ErrorBody);

/// 404 for a team named in `roles`.
#[derive(IntoResponses)]
#[response(status = 404, description = "No such team (`roles`)")]
pub struct UnknownRoleTeam(ErrorBody);

/// 404 for a route grant: the route or one of the teams.
#[derive(IntoResponses)]
#[response(status = 404, description = "Unknown route or team")]
pub struct UnknownRouteOrTeam(ErrorBody);

/// 409 `conflict`.
#[derive(IntoResponses)]
#[response(
    status = 409,
    description = "The change clashes with what is stored: a name taken, an object in use or already changed"
)]
pub struct Conflict(ErrorBody);

/// 409 when the change would leave no global admin.
#[derive(IntoResponses)]
#[response(status = 409, description = "Last global admin")]
pub struct LastGlobalAdmin(ErrorBody);

/// 422 `invalid`.
#[derive(IntoResponses)]
#[response(
    status = 422,
    description = "A value breaks the input rules (`invalid_input`)"
)]
pub struct Invalid(ErrorBody);

/// 422 for a paged list (`api::paging`): a `limit` out of range, a
/// cursor not issued for this list and these filters, or one of the
/// list's own filters.
#[derive(IntoResponses)]
#[response(
    status = 422,
    description = "`invalid_input`: a `limit` out of range or a filter breaking the input rules; `invalid_cursor`: a cursor not issued for this list and these filters"
)]
pub struct InvalidPage(ErrorBody);
