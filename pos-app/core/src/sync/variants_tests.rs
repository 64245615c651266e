//! Variants from the server's catalog: each is found by its own barcode at its own price,
//! and the till can list a product's variants (the "which size?" choice).

use pos_shared::sync::Stream;

use super::test_support::*;
use crate::catalog;

#[tokio::test]
async fn a_variant_sells_on_its_own_code_and_is_listed_under_its_product() {
    let (_d, db) = terminal().await;
    let shirt = product("p-tee", "TEE", &[], 1500);
    let variant = |id: &str, size: &str, code: &str, price: i64| {
        let mut v = product(id, &format!("TEE-{size}"), &[code], price);
        v.name = format!("T-shirt {size}");
        v.variant_of = Some("p-tee".into());
        v.variant_name = Some(size.into());
        v
    };
    let xl = variant("p-tee-xl", "XL", "5901234123457", 1700);
    let s = variant("p-tee-s", "S", "8712345678906", 1500);
    apply(
        &db,
        &page(
            Stream::Catalog,
            0,
            vec![upsert(1, &shirt), upsert(2, &xl), upsert(3, &s)],
            3,
        ),
    )
    .await;
    let scanned = catalog::by_barcode(&db, "5901234123457")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (scanned.id.as_str(), scanned.price_minor),
        ("p-tee-xl", 1700)
    );
    let sizes: Vec<String> = catalog::variants_of(&db, "p-tee")
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(sizes, ["T-shirt S", "T-shirt XL"]);

    // Retired on the server: no longer offered.
    apply(
        &db,
        &page(Stream::Catalog, 3, vec![delete(4, "p-tee-s")], 4),
    )
    .await;
    assert_eq!(catalog::variants_of(&db, "p-tee").await.unwrap().len(), 1);
}
