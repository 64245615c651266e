//! The catalog as the server stores it and terminals cache it: products, variants,
//! categories and promotions. Checkout copies what it needs into the sale, so a later
//! price change never rewrites history.

use serde::{Deserialize, Serialize};

use crate::barcode::Barcode;
use crate::ids::{CategoryId, ProductId, PromotionId, TaxRateId, VariantId};
use crate::money::Money;

/// A sellable item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    /// The shop's own article number, unique per company.
    pub sku: String,
    pub name: String,
    pub category_id: Option<CategoryId>,
    pub barcodes: Vec<Barcode>,
    /// Price per unit, or per kilogram (or litre) when `is_weighed`.
    pub price: Money,
    pub tax_rate_ids: Vec<TaxRateId>,
    /// Sold by weight: quantities are fractional and come from a scale or scale label.
    pub is_weighed: bool,
    /// Inactive products stay for history but cannot be sold.
    pub active: bool,
}

/// A variant of a product (size, colour) with its own code and optionally its own price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub id: VariantId,
    pub product_id: ProductId,
    pub sku: String,
    /// Shown after the product name, e.g. "XL / blue".
    pub name: String,
    pub barcodes: Vec<Barcode>,
    /// `None` sells at the product's price.
    pub price: Option<Money>,
    pub active: bool,
}

/// A catalog grouping; `parent_id` makes a tree (e.g. Drinks > Juice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: CategoryId,
    pub name: String,
    pub parent_id: Option<CategoryId>,
}

/// An automatic discount the checkout applies when its rule matches the cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    pub id: PromotionId,
    /// Printed on the receipt next to the discount, e.g. "3 for 2 on apples".
    pub name: String,
    pub rule: PromotionRule,
}

/// What a promotion does. How rules combine is documented in `sale::promotions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PromotionRule {
    /// `bp` basis points off every line in `category` (1500 = 15 %).
    PercentOffCategory { category: CategoryId, bp: u32 },
    /// Buy `buy` units of `product`, pay for `pay` (3 for 2: buy 3, pay 2); the cheapest
    /// units are the free ones.
    MultiBuy {
        product: ProductId,
        buy: u32,
        pay: u32,
    },
    /// One unit of each listed product together for `price`; list a product twice to
    /// require two units of it.
    BundlePrice {
        products: Vec<ProductId>,
        price: Money,
    },
}

/// Why a promotion cannot be applied. The server refuses to save such promotions; a
/// terminal that still meets one refuses the sale rather than guess.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("promotion `{name}` is misconfigured ({reason}): ask a manager to fix or disable it")]
pub struct InvalidPromotion {
    pub promotion: PromotionId,
    pub name: String,
    pub reason: &'static str,
}

impl Promotion {
    /// Checks the rule can be applied at all.
    pub fn validate(&self) -> Result<(), InvalidPromotion> {
        let reason = match &self.rule {
            PromotionRule::PercentOffCategory { bp, .. } if *bp > 10_000 => "more than 100 % off",
            PromotionRule::MultiBuy { buy, pay, .. } if *buy == 0 || pay >= buy => {
                "must pay for fewer items than are bought"
            }
            PromotionRule::BundlePrice { products, .. } if products.is_empty() => {
                "a bundle needs products"
            }
            PromotionRule::BundlePrice { price, .. } if price.is_negative() => {
                "a bundle price cannot be negative"
            }
            _ => return Ok(()),
        };
        Err(InvalidPromotion {
            promotion: self.id,
            name: self.name.clone(),
            reason,
        })
    }
}

impl Product {
    /// True when `code` is one of this product's barcodes.
    pub fn has_barcode(&self, code: &Barcode) -> bool {
        self.barcodes.contains(code)
    }

    /// The price a variant sells at: its own, or the product's.
    pub fn price_of(&self, variant: Option<&Variant>) -> Money {
        variant.and_then(|v| v.price).unwrap_or(self.price)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn product() -> Product {
        Product {
            id: ProductId::new(),
            sku: "APL-1".into(),
            name: "Apples".into(),
            category_id: None,
            barcodes: vec![Barcode::parse("4006381333931").unwrap()],
            price: Money::new(299, Currency::EUR),
            tax_rate_ids: vec![],
            is_weighed: true,
            active: true,
        }
    }

    #[test]
    fn variant_price_overrides_product_price() {
        let p = product();
        let mut v = Variant {
            id: VariantId::new(),
            product_id: p.id,
            sku: "APL-1-B".into(),
            name: "Bio".into(),
            barcodes: vec![],
            price: None,
            active: true,
        };
        assert_eq!(
            p.price_of(Some(&v)),
            p.price,
            "no override sells at the product price"
        );
        v.price = Some(Money::new(349, Currency::EUR));
        assert_eq!(p.price_of(Some(&v)).minor, 349);
        assert!(p.has_barcode(&"4006381333931".parse().unwrap()));
    }

    #[test]
    fn nonsense_promotions_are_caught() {
        let promo = |rule| Promotion {
            id: PromotionId::new(),
            name: "p".into(),
            rule,
        };
        let product = ProductId::new();
        assert!(
            promo(PromotionRule::MultiBuy {
                product,
                buy: 3,
                pay: 2
            })
            .validate()
            .is_ok()
        );
        assert!(
            promo(PromotionRule::MultiBuy {
                product,
                buy: 2,
                pay: 2
            })
            .validate()
            .is_err()
        );
        assert!(
            promo(PromotionRule::MultiBuy {
                product,
                buy: 0,
                pay: 0
            })
            .validate()
            .is_err()
        );
        let bundle = PromotionRule::BundlePrice {
            products: vec![],
            price: Money::new(100, Currency::EUR),
        };
        assert!(promo(bundle).validate().is_err());
        let category = CategoryId::new();
        let greedy = PromotionRule::PercentOffCategory {
            category,
            bp: 10_001,
        };
        assert!(promo(greedy).validate().is_err());
    }

    #[test]
    fn promotions_serialise_with_a_type_tag() {
        let promo = PromotionRule::MultiBuy {
            product: ProductId::new(),
            buy: 3,
            pay: 2,
        };
        let json = serde_json::to_value(&promo).unwrap();
        assert_eq!(
            json["type"], "multi_buy",
            "the server and terminal agree on tags"
        );
        assert_eq!(
            serde_json::from_value::<PromotionRule>(json).unwrap(),
            promo
        );
    }
}
