//! The store layer: the one module that opens MongoDB collections. `sync-server/clippy.toml`
//! forbids `mongodb::Database::collection` everywhere else, so a service reaches its data
//! only through a declaration here, and the declaration decides how:
//!
//! - a [`Tenant`] collection (a company's data) opens as [`Scoped`] for a [`TenantScope`]
//!   ([`scoped`]): every filter, update, count, delete and aggregation carries the scope's
//!   company (and shops), and an insert whose tenant keys are not the scope's is refused;
//! - a [`Platform`] collection (no company's data: companies for platform admins, identity,
//!   idempotency marks) opens raw ([`platform`]);
//! - an [`Internal`] collection (present in every service database: outbox, change streams,
//!   compaction marks) opens raw on the database it belongs to ([`internal`]);
//! - a job that must cross tenants opens a tenant collection with [`system`], naming its
//!   [`System`] reason; `grep -rn 'store::system'` lists every cross-tenant access.
//!
//! Adding a tenant-owned collection: declare a `pub const NAME: Tenant` below with its
//! tenant keys, open it with [`scoped`] (or [`system`] for a cross-tenant job), and write
//! filters without `company_id` (the scope adds it). See docs/security.md, "Tenancy".
#![allow(clippy::disallowed_methods)]

use mongodb::{Collection, Database};

use crate::{
    db::{Mongo, ServiceDb},
    gateway::tenancy::{Scoped, TenantKeys, TenantScope},
};

/// A collection that holds companies' data, with the fields that name the tenant.
#[derive(Debug, Clone, Copy)]
pub struct Tenant {
    pub db: ServiceDb,
    pub name: &'static str,
    pub keys: TenantKeys,
}

/// A collection that belongs to the platform, not to a company.
#[derive(Debug, Clone, Copy)]
pub struct Platform {
    pub db: ServiceDb,
    pub name: &'static str,
}

/// A collection of the event and sync machinery, present in each service database.
#[derive(Debug, Clone, Copy)]
pub struct Internal {
    pub name: &'static str,
}

const fn company(db: ServiceDb, name: &'static str) -> Tenant {
    Tenant {
        db,
        name,
        keys: TenantKeys {
            company: "company_id",
            shop: None,
        },
    }
}

const fn shop(db: ServiceDb, name: &'static str, shop_field: &'static str) -> Tenant {
    Tenant {
        db,
        name,
        keys: TenantKeys {
            company: "company_id",
            shop: Some(shop_field),
        },
    }
}

// Tenant-owned collections.
pub const SHOPS: Tenant = shop(ServiceDb::Shop, "shops", "_id");
pub const STAFF: Tenant = shop(ServiceDb::Shop, "staff", "shop_id");
pub const TERMINALS: Tenant = shop(ServiceDb::Shop, "terminals", "shop_id");
pub const LOCATIONS: Tenant = shop(ServiceDb::Shop, "locations", "shop_id");
pub const PRESENCE: Tenant = shop(ServiceDb::Shop, "presence", "shop_id");
pub const PRODUCTS: Tenant = company(ServiceDb::Ecommerce, "products");
pub const BARCODES: Tenant = company(ServiceDb::Ecommerce, "barcodes");
pub const SHOP_PRICES: Tenant = shop(ServiceDb::Ecommerce, "shop_prices", "shop_id");
/// The product list's page marks, one document per company keyed by its id.
pub const PRODUCT_MARKS: Tenant = Tenant {
    db: ServiceDb::Ecommerce,
    name: "product_marks",
    keys: TenantKeys {
        company: "_id",
        shop: None,
    },
};
pub const PROMOTIONS: Tenant = company(ServiceDb::Ecommerce, "promotions");
/// Products on sale per company and category (`catalog::categories`), kept with every
/// product write, and one mark per company saying its counts are kept.
pub const CATEGORY_COUNTS: Tenant = company(ServiceDb::Ecommerce, "category_counts");
pub const MOVEMENTS: Tenant = shop(ServiceDb::Inventory, "movements", "shop_id");
pub const BALANCES: Tenant = shop(ServiceDb::Inventory, "balances", "shop_id");
pub const EXCEPTIONS: Tenant = shop(ServiceDb::Inventory, "exceptions", "shop_id");
pub const REORDER_LEVELS: Tenant = shop(ServiceDb::Inventory, "reorder_levels", "shop_id");
/// Units held for web orders, one document per order (`_id` = order id): `held`, or
/// `failed` with the reason, so a replayed `order.created` finds its outcome.
pub const RESERVATIONS: Tenant = shop(ServiceDb::Inventory, "reservations", "shop_id");
pub const ORDERS: Tenant = shop(ServiceDb::Sales, "orders", "shop_id");
pub const REFUNDS: Tenant = shop(ServiceDb::Sales, "refunds", "shop_id");
pub const SHIFTS: Tenant = shop(ServiceDb::Sales, "shifts", "shop_id");
pub const JOURNAL_BATCHES: Tenant = shop(ServiceDb::Sales, "journal_batches", "shop_id");
pub const SYNC_PROJECTIONS: Tenant = company(ServiceDb::Sales, "sync_projections");
pub const QUARANTINE: Tenant = shop(ServiceDb::Sales, "quarantine", "shop_id");
pub const SYNC_TERMINALS: Tenant = shop(ServiceDb::Sales, "sync_terminals", "shop_id");
pub const RECEIPT_EMAILS: Tenant = company(ServiceDb::Sales, "receipt_emails");
pub const CUSTOMERS: Tenant = company(ServiceDb::Debt, "customers");
pub const ACCOUNT_ENTRIES: Tenant = company(ServiceDb::Debt, "account_entries");
pub const AUDIT_RECORDS: Tenant = company(ServiceDb::Audit, "records");
// The payment service (`services::payment`): payments, their ledger of every attempt,
// authorisation, capture, failure, cancel and refund, the answers stored under clients'
// idempotency keys (keyed `company:key`), and the webhook deliveries already applied
// (keyed by the provider's event id, recorded once the payment's company is known).
pub const PAYMENTS: Tenant = shop(crate::services::payment::DB, "payments", "shop_id");
pub const PAYMENT_ENTRIES: Tenant = shop(crate::services::payment::DB, "transactions", "shop_id");
pub const PAYMENT_REQUESTS: Tenant = company(crate::services::payment::DB, "idempotency_keys");
pub const PAYMENT_WEBHOOKS: Tenant = company(crate::services::payment::DB, "webhook_events");
// The analytics rollups (`services::analytics::rollup`): counters per company, shop and
// shop-local day (or month, for the `month_*` ones), each document carrying both keys.
pub const ROLLUP_DAYS: Tenant = shop(ServiceDb::Analytics, "days", "shop_id");
pub const ROLLUP_HOURS: Tenant = shop(ServiceDb::Analytics, "hours", "shop_id");
pub const ROLLUP_PRODUCTS: Tenant = shop(ServiceDb::Analytics, "products", "shop_id");
pub const ROLLUP_TENDERS: Tenant = shop(ServiceDb::Analytics, "tenders", "shop_id");
pub const ROLLUP_MONTH_HOURS: Tenant = shop(ServiceDb::Analytics, "month_hours", "shop_id");
pub const ROLLUP_MONTH_TENDERS: Tenant = shop(ServiceDb::Analytics, "month_tenders", "shop_id");
/// A month's products packed per shop and bucket (`rollup::PACKS`).
pub const ROLLUP_MONTH_PRODUCT_PACKS: Tenant =
    shop(ServiceDb::Analytics, "month_product_packs", "shop_id");
/// A month's day totals packed per shop (`analytics::packs`): the dashboard's plan reads a
/// year as 12 documents a shop instead of 365.
pub const ROLLUP_MONTH_DAY_PACKS: Tenant = shop(ServiceDb::Analytics, "month_day_packs", "shop_id");
/// The unpacked month products the packs replaced: only dropped, at start-up, when found.
pub const ROLLUP_LEGACY_MONTH_PRODUCTS: Tenant =
    shop(ServiceDb::Analytics, "month_products", "shop_id");
/// Every rollup collection.
pub const ROLLUPS: [Tenant; 8] = [
    ROLLUP_DAYS,
    ROLLUP_HOURS,
    ROLLUP_PRODUCTS,
    ROLLUP_TENDERS,
    ROLLUP_MONTH_HOURS,
    ROLLUP_MONTH_PRODUCT_PACKS,
    ROLLUP_MONTH_TENDERS,
    ROLLUP_MONTH_DAY_PACKS,
];

// Platform collections: no company's data, or identity that must be found before a
// company is known (a login names an email, a device token its id).
pub const COMPANIES: Platform = Platform {
    db: ServiceDb::Company,
    name: "companies",
};
pub const USERS: Platform = Platform {
    db: ServiceDb::Auth,
    name: "users",
};
pub const REFRESH_TOKENS: Platform = Platform {
    db: ServiceDb::Auth,
    name: "refresh_tokens",
};
pub const ENROLLMENT_CODES: Platform = Platform {
    db: ServiceDb::Auth,
    name: "enrollment_codes",
};
pub const DEVICES: Platform = Platform {
    db: ServiceDb::Auth,
    name: "devices",
};
/// One lock document per company, keyed by its id (plan limits, `shop::lock_plan_in`).
pub const PLAN_LOCKS: Platform = Platform {
    db: ServiceDb::Shop,
    name: "plan_locks",
};
/// Which shops' streams were filled at start-up (keyed by shop id).
pub const STREAM_BACKFILLS: Platform = Platform {
    db: ServiceDb::Shop,
    name: "stream_backfills",
};
/// Which one-off data backfills ran (keyed by backfill name).
pub const DEBT_BACKFILLS: Platform = Platform {
    db: ServiceDb::Debt,
    name: "backfills",
};
/// The audit hash chain's head (one document for the whole log).
pub const AUDIT_CHAIN_HEAD: Platform = Platform {
    db: ServiceDb::Audit,
    name: "chain_head",
};

/// Event ids the analytics consumer has counted (`{_id: event id}`, nothing else), looked
/// up and written in the transaction that counts the event. Platform, not Internal:
/// it exists in analyticsdb alone (Internal ones are in every service database, opened on
/// the database at hand), and like the other idempotency marks it holds no company's
/// data, only ids that are unique across companies, so there is no tenant to scope to.
pub const ANALYTICS_APPLIED: Platform = Platform {
    db: ServiceDb::Analytics,
    name: "applied",
};

// Internal collections of every service database.
pub const OUTBOX: Internal = Internal { name: "outbox" };
pub const STREAM_HEADS: Internal = Internal {
    name: "stream_heads",
};
pub const STREAM_CHANGES: Internal = Internal { name: "changes" };
pub const STREAM_PACKS: Internal = Internal {
    name: "change_packs",
};
/// Each stream's head at the previous compaction round (`compaction::compact`).
pub const COMPACTION_MARKS: Internal = Internal {
    name: "compaction_marks",
};

/// Why a job reads or writes a tenant collection across companies. Each variant is one
/// kind of job that has no caller's scope; anything a request does has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    /// Creating indexes at start-up: no document is read.
    Indexes,
    /// Start-up backfills that visit every shop or company once (streams, derived data).
    Backfill,
    /// Finding a document by its globally unique id before its company is known (a
    /// terminal's token names its terminal, a receipt code its sale); the caller then
    /// scopes everything else to the company found.
    Identify,
    /// Demo data seeding (`--demo`), the portal bench's data and test fixtures.
    Seed,
    /// The projector's queue: stored journal batches of every terminal, oldest first, and
    /// each terminal's upload and projection positions (keyed by terminal and epoch). What
    /// a batch builds is written scoped to the company and shop its terminal belongs to.
    Projector,
    /// The audit log: one hash chain across companies (and platform events with none),
    /// appended from the bus and verified whole by platform admins. Company admins read
    /// it scoped.
    AuditChain,
}

/// A tenant collection seen through `scope`.
pub fn scoped<T>(mongo: &Mongo, c: &Tenant, scope: &TenantScope) -> Scoped<T>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + Unpin,
{
    Scoped::new(mongo.db(c.db).collection(c.name), scope, c.keys)
}

/// A tenant collection for a job that crosses companies, for the named reason.
pub fn system<T: Send + Sync>(mongo: &Mongo, c: &Tenant, _why: System) -> Collection<T> {
    mongo.db(c.db).collection(c.name)
}

/// A platform collection.
pub fn platform<T: Send + Sync>(mongo: &Mongo, c: &Platform) -> Collection<T> {
    mongo.db(c.db).collection(c.name)
}

/// An internal collection of `db`.
pub fn internal<T: Send + Sync>(db: &Database, c: &Internal) -> Collection<T> {
    db.collection(c.name)
}
