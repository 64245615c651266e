//! Tenant scoping in one place. Services reach tenant data only through [`Scoped`], which
//! adds the caller's company (and shops, for shop-scoped roles) to every filter, so no
//! handler can forget it: another company's objects are simply not found.

use futures::TryStreamExt;
use mongodb::{
    ClientSession, Collection,
    bson::{Bson, Document, doc},
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
}

impl<T> Scoped<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + Unpin,
{
    pub fn new(coll: Collection<T>, scope: &TenantScope, keys: TenantKeys) -> Self {
        let mut base = Document::new();
        if let Some(company) = &scope.company {
            base.insert(keys.company, company.clone());
        }
        if let (Some(shops), Some(field)) = (&scope.shops, keys.shop) {
            let ids: Vec<Bson> = shops.iter().cloned().map(Bson::String).collect();
            base.insert(field, doc! { "$in": ids });
        }
        Self { coll, base }
    }

    /// `extra` AND the scope. `$and` (not a merge) so a caller's key can never replace the
    /// scope's own condition on the same field.
    pub fn filter(&self, extra: Document) -> Document {
        if self.base.is_empty() {
            extra
        } else if extra.is_empty() {
            self.base.clone()
        } else {
            doc! { "$and": [self.base.clone(), extra] }
        }
    }

    pub async fn find_one(&self, extra: Document) -> mongodb::error::Result<Option<T>> {
        self.coll.find_one(self.filter(extra)).await
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

    /// The raw collection, for inserts of documents whose tenant keys the caller has
    /// already taken from the scope.
    pub fn collection(&self) -> &Collection<T> {
        &self.coll
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
