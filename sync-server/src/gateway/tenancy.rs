//! Tenant scoping in one place. Services reach tenant data only through [`Scoped`], which
//! adds the caller's company (and shops, for shop-scoped roles) to every filter, so no
//! handler can forget it: another company's objects are simply not found.

use futures::TryStreamExt;
use mongodb::{
    ClientSession, Collection,
    action::{
        Aggregate, CountDocuments, Delete, Distinct, Find, FindOne, FindOneAndReplace,
        FindOneAndUpdate, InsertMany, InsertOne, ReplaceOne, Update,
    },
    bson::{Bson, Document, doc},
    options::UpdateModifications,
};
use serde::{Serialize, de::DeserializeOwned};

/// What a caller may see: `None` means unrestricted on that axis (platform admins for
/// companies, company admins for shops).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantScope {
    pub company: Option<String>,
    pub shops: Option<Vec<String>>,
}

impl TenantScope {
    /// Unrestricted: platform administration and internal service calls only.
    pub fn platform() -> Self {
        Self {
            company: None,
            shops: None,
        }
    }

    pub fn company(company: &str) -> Self {
        Self {
            company: Some(company.to_string()),
            shops: None,
        }
    }

    /// Whether the scope allows `shop` (of its own company).
    pub fn allows_shop(&self, shop: &str) -> bool {
        self.shops
            .as_ref()
            .is_none_or(|shops| shops.iter().any(|s| s == shop))
    }
}

/// Which document fields hold the tenant keys in a collection.
#[derive(Debug, Clone, Copy)]
pub struct TenantKeys {
    pub company: &'static str,
    pub shop: Option<&'static str>,
}

/// A collection seen through a tenant scope.
#[derive(Debug, Clone)]
pub struct Scoped<T: Send + Sync> {
    coll: Collection<T>,
    base: Document,
    scope: TenantScope,
    keys: TenantKeys,
}

impl<T> Scoped<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + Unpin,
{
    /// Use [`crate::store::scoped`]: collections are opened only by the store layer.
    pub(crate) fn new(coll: Collection<T>, scope: &TenantScope, keys: TenantKeys) -> Self {
        let mut base = Document::new();
        if let Some(company) = &scope.company {
            base.insert(keys.company, company.clone());
        }
        if let (Some(shops), Some(field)) = (&scope.shops, keys.shop) {
            let ids: Vec<Bson> = shops.iter().cloned().map(Bson::String).collect();
            base.insert(field, doc! { "$in": ids });
        }
        Self {
            coll,
            base,
            scope: scope.clone(),
            keys,
        }
    }

    /// The same collection and scope, read as `U`.
    pub fn with_type<U>(&self) -> Scoped<U>
    where
        U: Serialize + DeserializeOwned + Send + Sync + Unpin,
    {
        Scoped {
            coll: self.coll.clone_with_type(),
            base: self.base.clone(),
            scope: self.scope.clone(),
            keys: self.keys,
        }
    }

    /// `extra` AND the scope. Merged into one document when `extra` names none of the
    /// scope's fields (so indexes on them serve the query as before); `$and` otherwise, so
    /// a caller's key can never replace the scope's own condition on the same field.
    ///
    /// The caller's conditions come first: when no compound index covers a filter,
    /// SecantusDB looks up the FIRST condition that some index serves and checks the rest
    /// on each document found. `{company_id, _id}` therefore read every product of the
    /// company (about 4 s with 100,000) where `{_id, company_id}` reads one.
    pub fn filter(&self, extra: Document) -> Document {
        and(&self.base, extra)
    }

    pub fn find(&self, extra: Document) -> Find<'_, T> {
        self.coll.find(self.filter(extra))
    }

    pub fn find_one(&self, extra: Document) -> FindOne<'_, T> {
        self.coll.find_one(self.filter(extra))
    }

    pub async fn find_one_in(
        &self,
        extra: Document,
        session: &mut ClientSession,
    ) -> mongodb::error::Result<Option<T>> {
        self.coll
            .find_one(self.filter(extra))
            .session(session)
            .await
    }

    /// A page of matches, newest first by `_id` (UUIDv7 ids sort by creation time).
    pub async fn list(
        &self,
        extra: Document,
        page: &crate::gateway::paging::Page,
    ) -> mongodb::error::Result<Vec<T>> {
        self.coll
            .find(self.filter(extra))
            .sort(doc! { "_id": -1 })
            .skip(page.offset)
            .limit(page.limit_i64())
            .await?
            .try_collect()
            .await
    }

    pub async fn count(&self, extra: Document) -> mongodb::error::Result<u64> {
        self.coll.count_documents(self.filter(extra)).await
    }

    pub fn count_documents(&self, extra: Document) -> CountDocuments<'_> {
        self.coll.count_documents(self.filter(extra))
    }

    pub async fn count_in(
        &self,
        extra: Document,
        session: &mut ClientSession,
    ) -> mongodb::error::Result<u64> {
        self.coll
            .count_documents(self.filter(extra))
            .session(session)
            .await
    }

    pub fn distinct(&self, field: &str, extra: Document) -> Distinct<'_> {
        self.coll.distinct(field, self.filter(extra))
    }

    /// Updates one in-scope document inside a transaction; false when none matched.
    pub async fn update_one_in(
        &self,
        extra: Document,
        update: Document,
        session: &mut ClientSession,
    ) -> mongodb::error::Result<bool> {
        let r = self
            .coll
            .update_one(self.filter(extra), update)
            .session(session)
            .await?;
        Ok(r.matched_count > 0)
    }

    /// An update of one in-scope document. An upsert takes the scope's company from the
    /// filter, so it lands in the scope's tenant.
    pub fn update_one(
        &self,
        extra: Document,
        update: impl Into<UpdateModifications>,
    ) -> Update<'_> {
        self.coll.update_one(self.filter(extra), update)
    }

    pub fn update_many(
        &self,
        extra: Document,
        update: impl Into<UpdateModifications>,
    ) -> Update<'_> {
        self.coll.update_many(self.filter(extra), update)
    }

    pub fn find_one_and_update(
        &self,
        extra: Document,
        update: impl Into<UpdateModifications>,
    ) -> FindOneAndUpdate<'_, T> {
        self.coll.find_one_and_update(self.filter(extra), update)
    }

    pub fn delete_one(&self, extra: Document) -> Delete<'_> {
        self.coll.delete_one(self.filter(extra))
    }

    pub fn delete_many(&self, extra: Document) -> Delete<'_> {
        self.coll.delete_many(self.filter(extra))
    }

    /// An aggregation over the scope's documents only: the scope's company joins the
    /// pipeline's leading `$match` (or comes first as its own `$match`), and its shops,
    /// when it limits them, follow as a second `$match`.
    pub fn aggregate(&self, pipeline: impl IntoIterator<Item = Document>) -> Aggregate<'_> {
        self.coll.aggregate(self.pipeline(pipeline))
    }

    /// The pipeline [`Self::aggregate`] runs. SecantusDB plans an index for the leading
    /// `$match` only, and only when it is equalities and at most one range (a compound
    /// index such as `{company_id, shop_id, day}` then serves it whatever the order of its
    /// conditions). The company is an equality, so it joins that `$match` without spoiling
    /// its plan; an `$in` of the scope's shops there (or an `$and` with the caller's own
    /// shop condition) would make it read the whole collection, so the shops are a second
    /// `$match` right after it, which selects the same documents.
    pub fn pipeline(&self, pipeline: impl IntoIterator<Item = Document>) -> Vec<Document> {
        let mut stages: Vec<Document> = pipeline.into_iter().collect();
        if self.base.is_empty() {
            return stages;
        }
        let mut company = self.base.clone();
        let shops = self
            .keys
            .shop
            .and_then(|field| company.remove(field).map(|c| doc! { field: c }));
        let leading = stages
            .first()
            .is_some_and(|first| first.len() == 1 && first.contains_key("$match"));
        if leading {
            let m = stages[0]
                .get_document("$match")
                .cloned()
                .unwrap_or_default();
            stages[0] = doc! { "$match": and(&company, m) };
        } else if !company.is_empty() {
            stages.insert(0, doc! { "$match": company.clone() });
        }
        if let Some(shops) = shops {
            let at = usize::from(leading || !company.is_empty());
            stages.insert(at, doc! { "$match": shops });
        }
        stages
    }

    /// The string `_id`s of the in-scope documents matching `extra`, read inside `s`.
    pub async fn ids_in(
        &self,
        extra: Document,
        s: &mut ClientSession,
    ) -> mongodb::error::Result<Vec<String>> {
        crate::db::ids_in(&self.coll, self.filter(extra), s).await
    }

    /// Whether `doc`'s tenant keys are inside the scope.
    fn owns(&self, doc: &T) -> mongodb::error::Result<()> {
        let d = mongodb::bson::to_document(doc)?;
        let refuse = |why: String| -> mongodb::error::Result<()> {
            tracing::error!("tenancy: {why}");
            Err(std::io::Error::other(format!("tenancy: {why}")).into())
        };
        if let Some(company) = &self.scope.company
            && d.get_str(self.keys.company).ok() != Some(company.as_str())
        {
            return refuse(format!(
                "a document for another company than the scope's written to {}",
                self.coll.name()
            ));
        }
        if let (Some(shops), Some(field)) = (&self.scope.shops, self.keys.shop) {
            let shop = d.get_str(field).ok();
            if !shops.iter().any(|s| Some(s.as_str()) == shop) {
                return refuse(format!(
                    "a document for a shop outside the scope written to {}",
                    self.coll.name()
                ));
            }
        }
        Ok(())
    }

    /// Inserts `doc` if its tenant keys are the scope's; an error (a bug) otherwise.
    pub fn insert_one<'a>(&'a self, doc: &T) -> mongodb::error::Result<InsertOne<'a>> {
        self.owns(doc)?;
        Ok(self.coll.insert_one(doc))
    }

    /// Inserts `docs` if all their tenant keys are the scope's.
    pub fn insert_many<'a>(&'a self, docs: &[T]) -> mongodb::error::Result<InsertMany<'a>> {
        for d in docs {
            self.owns(d)?;
        }
        Ok(self.coll.insert_many(docs))
    }

    /// Replaces one in-scope document with `doc` if its tenant keys are the scope's; an
    /// upsert therefore lands in the scope's tenant too.
    pub fn replace_one<'a>(
        &'a self,
        extra: Document,
        doc: &T,
    ) -> mongodb::error::Result<ReplaceOne<'a>> {
        self.owns(doc)?;
        Ok(self.coll.replace_one(self.filter(extra), doc))
    }

    /// [`Self::replace_one`] that answers the document it replaced (or the new one, by
    /// option).
    pub fn find_one_and_replace<'a>(
        &'a self,
        extra: Document,
        doc: &T,
    ) -> mongodb::error::Result<FindOneAndReplace<'a, T>> {
        self.owns(doc)?;
        Ok(self.coll.find_one_and_replace(self.filter(extra), doc))
    }
}

/// `extra` AND `base`: one document when `extra` names none of `base`'s fields, the
/// caller's conditions first (see [`Scoped::filter`]); `$and` otherwise.
fn and(base: &Document, extra: Document) -> Document {
    if base.is_empty() {
        extra
    } else if extra.is_empty() {
        base.clone()
    } else if base.keys().all(|k| !extra.contains_key(k)) {
        let mut merged = extra;
        merged.extend(base.clone());
        merged
    } else {
        doc! { "$and": [base.clone(), extra] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::disallowed_methods)] // a handle for filter tests, never used
    fn scoped(scope: &TenantScope) -> Scoped<Document> {
        // A collection handle needs no connection until used.
        let client =
            mongodb::Client::with_options(mongodb::options::ClientOptions::builder().build())
                .unwrap();
        Scoped::new(
            client.database("t").collection("shops"),
            scope,
            TenantKeys {
                company: "company_id",
                shop: Some("_id"),
            },
        )
    }

    #[tokio::test]
    async fn caller_filter_cannot_override_the_scope() {
        let scope = TenantScope {
            company: Some("A".into()),
            shops: Some(vec!["s1".into()]),
        };
        let f = scoped(&scope).filter(doc! { "company_id": "B", "_id": "s2" });
        assert_eq!(
            f,
            doc! { "$and": [ { "company_id": "A", "_id": { "$in": ["s1"] } }, { "company_id": "B", "_id": "s2" } ] },
            "both conditions must hold, so company B's shop stays invisible"
        );
    }

    #[tokio::test]
    async fn platform_scope_adds_nothing() {
        let f = scoped(&TenantScope::platform()).filter(doc! { "_id": "x" });
        assert_eq!(f, doc! { "_id": "x" });
    }

    #[tokio::test]
    async fn disjoint_filters_merge_into_one_document() {
        let f = scoped(&TenantScope::company("A")).filter(doc! { "status": "active" });
        assert_eq!(f, doc! { "company_id": "A", "status": "active" });
    }

    #[tokio::test]
    async fn the_caller_s_conditions_come_before_the_scope_s() {
        let f = scoped(&TenantScope::company("A")).filter(doc! { "_id": "p1", "active": true });
        let keys: Vec<&str> = f.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["_id", "active", "company_id"],
            "SecantusDB rides the first condition an index serves: the _id, not the company"
        );
    }

    #[tokio::test]
    async fn the_scope_joins_the_leading_match_or_comes_first() {
        let s = scoped(&TenantScope::company("A"));
        assert_eq!(
            s.pipeline([doc! { "$match": { "day": 1 } }, doc! { "$count": "n" }]),
            vec![
                doc! { "$match": { "company_id": "A", "day": 1 } },
                doc! { "$count": "n" }
            ]
        );
        assert_eq!(
            s.pipeline([doc! { "$group": { "_id": null } }]),
            vec![
                doc! { "$match": { "company_id": "A" } },
                doc! { "$group": { "_id": null } }
            ]
        );
    }

    #[tokio::test]
    async fn the_scope_s_shops_follow_the_leading_match_so_it_keeps_its_index_plan() {
        let s = scoped(&TenantScope {
            company: Some("A".into()),
            shops: Some(vec!["s1".into(), "s2".into()]),
        });
        let range = doc! { "$gte": "2026-01-01", "$lte": "2026-01-31" };
        assert_eq!(
            s.pipeline([
                doc! { "$match": { "_id": "s1", "day": range.clone() } },
                doc! { "$count": "n" }
            ]),
            vec![
                doc! { "$match": { "_id": "s1", "day": range, "company_id": "A" } },
                doc! { "$match": { "_id": { "$in": ["s1", "s2"] } } },
                doc! { "$count": "n" }
            ],
            "equalities and one range lead, the shops sift after"
        );
        assert_eq!(
            s.pipeline([doc! { "$group": { "_id": null } }]),
            vec![
                doc! { "$match": { "company_id": "A" } },
                doc! { "$match": { "_id": { "$in": ["s1", "s2"] } } },
                doc! { "$group": { "_id": null } }
            ]
        );
    }

    #[tokio::test]
    async fn an_insert_for_another_tenant_is_refused() {
        let scope = TenantScope {
            company: Some("A".into()),
            shops: Some(vec!["s1".into()]),
        };
        let s = scoped(&scope);
        assert!(
            s.insert_one(&doc! { "_id": "s1", "company_id": "A" })
                .is_ok()
        );
        assert!(
            s.insert_one(&doc! { "_id": "s1", "company_id": "B" })
                .is_err()
        );
        assert!(
            s.insert_one(&doc! { "_id": "s2", "company_id": "A" })
                .is_err()
        );
        assert!(s.insert_one(&doc! { "_id": "s1" }).is_err());
    }

    #[tokio::test]
    async fn a_replacement_for_another_tenant_is_refused() {
        let scope = TenantScope {
            company: Some("A".into()),
            shops: Some(vec!["s1".into()]),
        };
        let s = scoped(&scope);
        let ours = doc! { "_id": "s1", "company_id": "A" };
        assert!(s.replace_one(doc! { "_id": "s1" }, &ours).is_ok());
        assert!(s.find_one_and_replace(doc! { "_id": "s1" }, &ours).is_ok());
        for theirs in [
            doc! { "_id": "s1", "company_id": "B" },
            doc! { "_id": "s2", "company_id": "A" },
        ] {
            assert!(s.replace_one(doc! { "_id": "s1" }, &theirs).is_err());
            assert!(
                s.find_one_and_replace(doc! { "_id": "s1" }, &theirs)
                    .is_err()
            );
        }
    }
}
