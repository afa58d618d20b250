//! The query parameters every paged list takes (`api::paging` has the
//! page, the cursor and their rules).

use crate::api::input;
use crate::api::paging::{Filters, List, Pager};
use crate::error::ApiResult;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

/// `limit` and `cursor`: a list's own filters are in a query struct of
/// their own (serde's `flatten` cannot carry numbers in a query string).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PageQuery {
    #[param(schema_with = input::schema::page_limit)]
    limit: Option<u32>,
    #[param(schema_with = input::schema::cursor)]
    cursor: Option<String>,
}

impl PageQuery {
    /// The page asked for, of `list` with `filters`: 422 for a limit out
    /// of range or a cursor of another list, of other filters, or not one
    /// this server issued.
    pub(super) fn pager<K: Serialize + DeserializeOwned>(
        &self,
        list: List,
        filters: Filters,
    ) -> ApiResult<Pager<K>> {
        Ok(Pager::new(
            list,
            filters,
            self.limit,
            self.cursor.as_deref(),
        )?)
    }
}
