//! Sync protocol v5: the messages terminals and the server exchange over REST (and, later,
//! the WebSocket). docs/sync-protocol.md describes the flow; these types are the contract.
//!
//! Upstream, a terminal pushes contiguous batches of journal records after the server's
//! `acked_through`; the server stores a batch in one transaction and acks, then projects it
//! (orders, stock, exceptions) in the background. Downstream, the terminal pulls pages of
//! changes per stream after its cursor; cursors are dense and assigned in commit order.

use serde::{Deserialize, Serialize};

use crate::journal::JournalRecord;

/// Version of this protocol. Sent as the [`PROTOCOL_HEADER`] on every sync request.
/// 2: acks mean "stored" (no business exceptions in them) and stock pages carry
/// `included_through`; a version-1 terminal would count its sales twice, so it is refused.
/// 3: adds the `config` and `staff` streams; a version-2 terminal is still served, on the
/// socket with the two streams it knows.
/// 4: adds the `customers` stream (the company's customers with their account balance)
/// and the `prices` stream (the shop's own prices); version-2 and -3 terminals are still
/// served the streams they know.
/// 5: adds the `promotions` stream (the company's promotions, managed on the server);
/// older terminals keep the promotions they were given locally.
pub const PROTOCOL_VERSION: u32 = 5;
/// The oldest version a server still serves.
pub const OLDEST_PROTOCOL_VERSION: u32 = 2;
/// HTTP header carrying the protocol version; a server refuses versions it cannot speak.
pub const PROTOCOL_HEADER: &str = "x-kassa-protocol";
/// Most records accepted in one push.
pub const MAX_PUSH_RECORDS: usize = 1000;
/// Most changes served in one page.
pub const MAX_PAGE: u32 = 5000;

/// A contiguous run of one terminal's journal records, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub terminal_id: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub epoch: i64,
    /// 1 to [`MAX_PUSH_RECORDS`], with dense sequences from 1 and an unbroken hash chain.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 1000))]
    pub records: Vec<JournalRecord>,
}

/// The server's answer to a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PushResponse {
    /// Everything up to and including `acked_through` is durably stored; the terminal may
    /// mark those records synced. `duplicates` were already there (a retry), `quarantined`
    /// fail the hash chain or cannot be read: they are stored and set aside for a manager
    /// instead of blocking the queue. Orders, stock and business exceptions follow when the
    /// server has projected the batch ([`SyncState::projected_through`]).
    Ack {
        acked_through: i64,
        applied: u32,
        duplicates: u32,
        quarantined: u32,
    },
    /// The batch does not start right after what the server has: resend from
    /// `expected_seq`. Nothing of this batch was applied.
    Gap {
        expected_seq: i64,
        acked_through: i64,
    },
}

/// A business exception found while applying facts: recorded and shown to managers, never
/// a reason to refuse a fact (the sale happened).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncException {
    /// `oversold`, `price_variance`, `over_refund` or `orphan_refund`.
    pub kind: String,
    /// The journal record (event) it came from.
    pub event_id: String,
    pub detail: String,
}

/// Where a terminal stands, as the server sees it (`GET /api/sync/state`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncState {
    pub terminal_id: String,
    pub epoch: i64,
    /// Highest sequence stored on the server (0 before the first push).
    pub acked_through: i64,
    /// Highest sequence whose orders, stock movements and exceptions the server has built
    /// (at most `acked_through`; behind it while a backlog is being worked through).
    #[serde(default)]
    pub projected_through: i64,
}

/// Downstream streams a terminal can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    /// `catalog:{company}`: products with barcodes, prices and taxes.
    Catalog,
    /// `stock:{shop}`: the server's stock balance per product of the terminal's shop.
    Stock,
    /// `config:{shop}`: the shop's terminals and the public keys their receipts are
    /// sealed with (entity `terminal`), so a till can check another till's receipt offline.
    Config,
    /// `staff:{shop}`: who may log in at the shop's tills, with role and PIN hash
    /// (entity `staff`).
    Staff,
    /// `customers:{company}`: the company's customers with their account balance as the
    /// server has built it (entity `customer`), so a customer added at one till (or in
    /// the portal) is found at every till, and what they owe is the same everywhere.
    Customers,
    /// `prices:{shop}`: the shop's own prices where they differ from the catalog's
    /// (entity `price`, id = product id; `delete` when the shop goes back to the catalog
    /// price).
    Prices,
    /// `promotions:{company}`: the company's promotions (entity `promotion`, id =
    /// promotion id), each for every shop or for the shops it names; `delete` when a
    /// manager ends one.
    Promotions,
}

impl Stream {
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Catalog => "catalog",
            Stream::Stock => "stock",
            Stream::Config => "config",
            Stream::Staff => "staff",
            Stream::Customers => "customers",
            Stream::Prices => "prices",
            Stream::Promotions => "promotions",
        }
    }

    /// Every stream a terminal follows, in the order a pull reads them (catalog before
    /// stock, so balances find their products).
    pub const ALL: [Stream; 7] = [
        Stream::Catalog,
        Stream::Stock,
        Stream::Config,
        Stream::Staff,
        Stream::Customers,
        Stream::Prices,
        Stream::Promotions,
    ];

    /// The streams a terminal speaking protocol `v` knows.
    pub fn known_to(v: u32) -> &'static [Stream] {
        match v {
            ..=2 => &Self::ALL[..2],
            3 => &Self::ALL[..4],
            4 => &Self::ALL[..6],
            _ => &Self::ALL,
        }
    }
}

impl std::str::FromStr for Stream {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stream::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown stream `{s}` (known: catalog, stock, config, staff, customers, prices, promotions)"
                )
            })
    }
}

/// A stock balance on the `stock` stream (entity `balance`, id = product id): every
/// movement the server has stored for this shop and product, summed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockBalance {
    pub product_id: String,
    /// Thousandths of a unit.
    pub on_hand_milli: i64,
}

/// A terminal of the shop on the `config` stream (entity `terminal`, id = terminal id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopTerminal {
    pub terminal_id: String,
    pub name: String,
    /// Hex Ed25519 public key of the terminal's receipt seal; `None` until the terminal
    /// has registered it (`PUT /api/sync/receipt-key`).
    #[serde(default)]
    pub receipt_public_key: Option<String>,
    /// False once revoked. Its receipts stay genuine: they were sealed while it was trusted.
    pub active: bool,
}

/// A staff member on the `staff` stream (entity `staff`, id = the person's user id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopStaff {
    pub user_id: String,
    pub name: String,
    /// `shop_manager` or `cashier`.
    pub role: crate::role::Role,
    /// Argon2 PHC string of the till PIN; `None` for someone without a PIN (portal only).
    #[serde(default)]
    pub pin_hash: Option<String>,
    /// False once removed from the shop.
    pub active: bool,
}

/// A shop's own price of a product on the `prices` stream (entity `price`, id = product
/// id): it replaces the catalog price at that shop's tills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopPrice {
    pub product_id: String,
    /// Minor units of the company currency.
    pub price_minor: i64,
}

/// A promotion on the `promotions` stream (entity `promotion`, id = promotion id). Tills
/// apply it automatically while it runs, at the shops it names (every shop when
/// `shop_ids` is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompanyPromotion {
    pub promotion_id: String,
    /// Printed on the receipt next to the discount.
    pub name: String,
    pub terms: PromotionTerms,
    /// The shops it runs at; empty: every shop of the company.
    #[serde(default)]
    pub shop_ids: Vec<String>,
    /// UTC milliseconds; `None`: from now on.
    #[serde(default)]
    pub starts_at_ms: Option<i64>,
    /// UTC milliseconds, exclusive; `None`: until a manager ends it.
    #[serde(default)]
    pub ends_at_ms: Option<i64>,
}

/// What a company promotion does, in server terms: products by id, categories by name
/// (a till maps them to its own rows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PromotionTerms {
    /// `bp` basis points off every line of the category (1500 = 15 %).
    PercentOffCategory {
        category: String,
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10_000))]
        bp: u32,
    },
    /// Buy `buy` units of the product, pay for `pay` (3 for 2): `pay` below `buy`.
    MultiBuy {
        product_id: String,
        // u32's whole range: utoipa would say int32, which is half of it.
        #[cfg_attr(feature = "openapi", schema(format = Int64, minimum = 0, maximum = 4_294_967_295_u64))]
        buy: u32,
        #[cfg_attr(feature = "openapi", schema(format = Int64, minimum = 0, maximum = 4_294_967_295_u64))]
        pay: u32,
    },
    /// One unit of each listed product together for `price_minor`; list a product twice
    /// to require two units of it.
    BundlePrice {
        product_ids: Vec<String>,
        price_minor: i64,
    },
}

/// A customer on the `customers` stream (entity `customer`, id = customer id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompanyCustomer {
    pub customer_id: String,
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// What the customer may owe at most (minor units); 0: no buying on account.
    pub credit_limit_minor: i64,
    /// Sum of every account entry the server has built: positive, the customer owes the
    /// company; negative, store credit.
    pub balance_minor: i64,
    /// False once a manager has closed the account: no new sales on it.
    pub active: bool,
    /// The server knows this account only from entries (the customer's own record never
    /// reached it): a till keeps the name, contact and limit it has and takes the balance.
    #[serde(default)]
    pub placeholder: bool,
}

/// Body of `PUT /api/sync/receipt-key`: the calling terminal's receipt seal key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptKey {
    /// 64 hex characters (an Ed25519 public key).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9A-Fa-f]{64}$"))]
    pub public_key: String,
}

/// What an enrolled terminal needs to set itself up (`GET /api/sync/config`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TerminalConfig {
    pub terminal_id: String,
    pub company_id: String,
    pub company_name: String,
    pub shop_id: String,
    pub shop_name: String,
    /// ISO 4217 code.
    pub currency: String,
    pub receipt_header: String,
    pub receipt_footer: String,
    /// The shop's IANA time zone (`Europe/Berlin`), in which the till prints times.
    /// Empty from servers that predate it; the till then keeps its own default.
    #[serde(default)]
    pub timezone: String,
}

/// One change on a stream. `cursor` is dense within the stream: 1, 2, 3, ...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub cursor: i64,
    /// What changed, e.g. `product`.
    pub entity: String,
    pub id: String,
    /// `upsert` carries the full new state in `data`; `delete` carries none.
    pub op: ChangeOp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    Upsert,
    Delete,
}

/// A page of changes after a cursor (`GET /api/sync/streams/{stream}?after=N&limit=M`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangesPage {
    pub stream: Stream,
    pub after: i64,
    pub changes: Vec<Change>,
    /// The cursor to ask after next time (the last change's, or `after` when empty).
    pub next_after: i64,
    /// The stream's newest cursor when the page was read; `next_after == head` means the
    /// terminal is up to date.
    pub head: i64,
    /// Stock and customers pages only, for the terminal that asked (and its epoch): the
    /// balances up to `head` include the stock movements and account entries of its
    /// journal records through this sequence. The terminal stops counting those as
    /// pending once it has applied `head`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub included_through: Option<i64>,
}

/// A product as terminals receive it on the catalog stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogProduct {
    pub id: String,
    pub sku: String,
    pub name: String,
    #[serde(default)]
    pub category: Option<String>,
    pub barcodes: Vec<String>,
    pub price_minor: i64,
    pub currency: String,
    /// Basis points of the product's tax rate (1900 = 19 %), and whether prices include it.
    pub tax_rate_bp: u32,
    pub tax_inclusive: bool,
    #[serde(default)]
    pub is_weighed: bool,
    pub active: bool,
    /// The product this is a variant of (a size, a colour): sold, priced and stocked on
    /// its own, named "{product} {variant_name}"; absent for a product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_name: Option<String>,
}

/// Where a terminal stands on each stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cursors {
    pub catalog: i64,
    pub stock: i64,
    #[serde(default)]
    pub config: i64,
    #[serde(default)]
    pub staff: i64,
    #[serde(default)]
    pub customers: i64,
    #[serde(default)]
    pub prices: i64,
    #[serde(default)]
    pub promotions: i64,
}

impl Cursors {
    pub fn get(&self, stream: Stream) -> i64 {
        match stream {
            Stream::Catalog => self.catalog,
            Stream::Stock => self.stock,
            Stream::Config => self.config,
            Stream::Staff => self.staff,
            Stream::Customers => self.customers,
            Stream::Prices => self.prices,
            Stream::Promotions => self.promotions,
        }
    }

    pub fn set(&mut self, stream: Stream, cursor: i64) {
        match stream {
            Stream::Catalog => self.catalog = cursor,
            Stream::Stock => self.stock = cursor,
            Stream::Config => self.config = cursor,
            Stream::Staff => self.staff = cursor,
            Stream::Customers => self.customers = cursor,
            Stream::Prices => self.prices = cursor,
            Stream::Promotions => self.promotions = cursor,
        }
    }
}

/// Path of the live socket (`GET`, upgraded to a WebSocket; device token in the
/// `Authorization` header, protocol version in [`ClientMessage::Hello`]).
pub const SOCKET_PATH: &str = "/api/sync/ws";

/// What a terminal sends on the live socket (JSON text frames, tagged by `type`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// First message: the protocol version, the journal epoch, stream cursors and how many
    /// facts wait to be pushed (shown to managers as presence).
    Hello {
        v: u32,
        epoch: i64,
        cursors: Cursors,
        queued: i64,
    },
    /// A journal batch, answered by [`ServerMessage::PushResult`] with the same `id`.
    Push { id: u64, request: PushRequest },
    /// Keep-alive with the current queue length.
    Heartbeat { queued: i64 },
}

/// What the server sends on the live socket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// Answer to hello: what the server has of this terminal's journal and stream heads.
    Welcome {
        v: u32,
        acked_through: i64,
        heads: Cursors,
    },
    /// Changes after the terminal's cursor on one stream; sent on connect (catch-up) and
    /// whenever the stream moves.
    Changes {
        page: ChangesPage,
    },
    PushResult {
        id: u64,
        response: PushResponse,
    },
    /// The server closes after this (unsupported version, revoked terminal...).
    Error {
        code: String,
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_responses_are_tagged_by_status() {
        let gap = PushResponse::Gap {
            expected_seq: 7,
            acked_through: 6,
        };
        let json = serde_json::to_value(&gap).unwrap();
        assert_eq!(json["status"], "gap", "clients branch on `status`: {json}");
        assert_eq!(serde_json::from_value::<PushResponse>(json).unwrap(), gap);
    }

    #[test]
    fn socket_messages_are_tagged_by_type() {
        let hello = ClientMessage::Hello {
            v: PROTOCOL_VERSION,
            epoch: 1,
            cursors: Cursors::default(),
            queued: 3,
        };
        let json = serde_json::to_value(&hello).unwrap();
        assert_eq!(json["type"], "hello");
        assert_eq!(json["v"], PROTOCOL_VERSION);
        assert_eq!(
            serde_json::from_value::<ClientMessage>(json).unwrap(),
            hello
        );
    }
}
