//! Looking things up at the till: products (search, quick keys, stock) and customers
//! (find, add, take a debt payment).

use super::views::{CustomerView, ProductHit, QuickKeyGroup, StockView};
use super::{Till, convert, signed_in};
use crate::catalog::{self, Product};
use crate::customers::{self, NewCustomer};
use crate::error::{CoreError, CoreResult};
use crate::stock;

/// Most results a search returns (the list is virtualised; more is noise).
const MAX_RESULTS: usize = 200;
/// Products per category on the quick-key grid.
const QUICK_KEYS_PER_CATEGORY: i64 = 24;

impl Till {
    /// Products matching `query` by barcode, SKU, name prefix or words in the name.
    pub async fn search(&self, query: &str, limit: usize) -> CoreResult<Vec<ProductHit>> {
        let found = catalog::search(&self.db, query, limit.clamp(1, MAX_RESULTS)).await?;
        self.hits(found).await
    }

    /// The quick-key grid: products by category.
    pub async fn quick_keys(&self) -> CoreResult<Vec<QuickKeyGroup>> {
        let mut out = Vec::new();
        for (category, products) in catalog::by_category(&self.db, QUICK_KEYS_PER_CATEGORY).await? {
            out.push(QuickKeyGroup {
                category,
                products: self.hits(products).await?,
            });
        }
        Ok(out)
    }

    async fn hits(&self, products: Vec<Product>) -> CoreResult<Vec<ProductHit>> {
        let ids: Vec<String> = products.iter().map(|p| p.id.clone()).collect();
        let facts = stock::shelf_facts(&self.db, &ids).await?;
        Ok(products
            .into_iter()
            .map(|p| {
                let (barcode, on_hand) = facts.get(&p.id).cloned().unwrap_or_default();
                ProductHit {
                    id: p.id,
                    sku: p.sku,
                    name: p.name,
                    barcode,
                    price_minor: p.price_minor,
                    category: p.category,
                    sold_by_weight: p.sold_by_weight,
                    on_hand_milli: on_hand,
                }
            })
            .collect())
    }

    /// A product's stock here: the server's figure plus this till's unsynced movements.
    pub async fn stock(&self, product_id: &str) -> CoreResult<StockView> {
        let l = stock::level_of_product(&self.db, product_id).await?;
        Ok(StockView {
            product_id: l.product_id,
            sku: l.sku,
            name: l.name,
            on_hand_milli: l.on_hand_milli,
            server_milli: Some(l.server_milli),
            pending_milli: l.pending_milli,
        })
    }

    /// Customers whose name, phone or email contains `query` (all when empty).
    pub async fn customers(&self, query: &str) -> CoreResult<Vec<CustomerView>> {
        let q = query.trim().to_lowercase();
        Ok(customers::list(&self.db)
            .await?
            .iter()
            .filter(|c| {
                q.is_empty()
                    || c.name.to_lowercase().contains(&q)
                    || c.phone.as_deref().is_some_and(|p| p.contains(&q))
                    || c.email
                        .as_deref()
                        .is_some_and(|e| e.to_lowercase().contains(&q))
            })
            .take(MAX_RESULTS)
            .map(convert::customer)
            .collect())
    }

    /// Adds a customer at the till (offline too; the server learns of them on sync).
    pub async fn add_customer(
        &self,
        name: &str,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> CoreResult<CustomerView> {
        let s = self.session.lock().await;
        let (_, staff) = signed_in(&s)?;
        if name.trim().is_empty() {
            return Err(CoreError::invalid("enter the customer's name"));
        }
        let clean = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let c = customers::add(
            &self.db,
            staff,
            &NewCustomer {
                name: name.trim().to_owned(),
                phone: clean(phone),
                email: clean(email),
                credit_limit_minor: 0,
            },
        )
        .await?;
        Ok(convert::customer(&c))
    }

    /// Takes a payment towards what a customer owes (cash into this shift's drawer).
    pub async fn debt_payment(
        &self,
        customer_id: &str,
        amount_minor: i64,
    ) -> CoreResult<CustomerView> {
        let s = self.session.lock().await;
        let (_, staff) = signed_in(&s)?;
        let c = customers::pay_debt(&self.db, staff, customer_id, amount_minor).await?;
        Ok(convert::customer(&c))
    }
}
