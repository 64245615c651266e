//! MongoDB handles: one client, one database per service, and the transaction runner.

use futures::future::BoxFuture;
use mongodb::{Client, ClientSession, Database, bson::doc};

use crate::error::{ApiError, ApiResult};

/// A service's database, by its name in the platform design (authdb, companydb, ...) before
/// the deployment's prefix. A new service names its own with [`ServiceDb::new`] in its
/// registration; the platform's are kept here under the names they have always had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceDb(&'static str);

// Named like the enum variants they replaced, so the many callers read as before.
#[allow(non_upper_case_globals)]
impl ServiceDb {
    pub const Auth: Self = Self("authdb");
    pub const Company: Self = Self("companydb");
    pub const Shop: Self = Self("shopdb");
    pub const Audit: Self = Self("auditdb");
    pub const Ecommerce: Self = Self("ecommercedb");
    pub const Inventory: Self = Self("inventorydb");
    pub const Sales: Self = Self("salesdb");
    pub const Debt: Self = Self("debtdb");
    pub const Analytics: Self = Self("analyticsdb");
}

impl ServiceDb {
    pub const fn new(name: &'static str) -> Self {
        Self(name)
    }

    pub fn name(self) -> &'static str {
        self.0
    }
}

/// One cheap-clone handle to MongoDB for the whole process.
#[derive(Debug, Clone)]
pub struct Mongo {
    client: Client,
    prefix: String,
}

impl Mongo {
    pub async fn connect(uri: &str, prefix: &str) -> anyhow::Result<Self> {
        let mut options = mongodb::options::ClientOptions::parse(uri).await?;
        options.app_name = Some("kassa-sync-server".into());
        // Fail a request in seconds rather than hang a cashier's sync for the default 30 s.
        options.server_selection_timeout = Some(std::time::Duration::from_secs(5));
        let client = Client::with_options(options)?;
        Ok(Self {
            client,
            prefix: prefix.to_string(),
        })
    }

    pub fn db(&self, service: ServiceDb) -> Database {
        self.client
            .database(&format!("{}{}", self.prefix, service.name()))
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub async fn ping(&self) -> bool {
        self.client
            .database("admin")
            .run_command(doc! { "ping": 1 })
            .await
            .is_ok()
    }

    /// Runs `f` in a transaction, retried by the driver on transient conflicts, so `f`
    /// must have no effects outside `session`. Errors raised inside as
    /// [`crate::error::ApiErrorBox`] come back out with their status.
    pub async fn transact<R, C, F>(&self, ctx: C, f: F) -> ApiResult<R>
    where
        F: for<'b> FnMut(
            &'b mut ClientSession,
            &'b mut C,
        ) -> BoxFuture<'b, mongodb::error::Result<R>>,
    {
        let mut session = self.client.start_session().await?;
        session
            .start_transaction()
            .and_run(ctx, f)
            .await
            .map_err(ApiError::from)
    }
}

/// The string `_id`s of the documents in `coll` matching `filter`, read inside `s`.
pub async fn ids_in<T: Send + Sync>(
    coll: &mongodb::Collection<T>,
    filter: mongodb::bson::Document,
    s: &mut ClientSession,
) -> mongodb::error::Result<Vec<String>> {
    use futures::TryStreamExt;
    let docs: Vec<mongodb::bson::Document> = coll
        .clone_with_type::<mongodb::bson::Document>()
        .find(filter)
        .projection(doc! { "_id": 1 })
        .session(&mut *s)
        .await?
        .stream(&mut *s)
        .try_collect()
        .await?;
    Ok(docs
        .iter()
        .filter_map(|d| d.get_str("_id").ok().map(str::to_owned))
        .collect())
}

/// Current time as stored in MongoDB (UTC milliseconds).
pub fn now() -> mongodb::bson::DateTime {
    mongodb::bson::DateTime::now()
}

/// A `$regex` matching strings that start with `text` taken literally.
pub fn prefix_regex(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    out.push('^');
    for c in text.chars() {
        if "\\^$.|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// RFC 3339 UTC text for API responses.
pub fn rfc3339(t: mongodb::bson::DateTime) -> String {
    t.try_to_rfc3339_string()
        .unwrap_or_else(|_| t.timestamp_millis().to_string())
}
