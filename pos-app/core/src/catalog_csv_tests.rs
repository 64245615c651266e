use super::*;
use crate::{catalog, stock};

const HEADER: &str = "sku,name,barcode,price_minor,tax_rate_bp,tax_inclusive,category,stock\n";

async fn db() -> (tempfile::TempDir, LocalDb) {
    let dir = tempfile::tempdir().unwrap();
    let db = LocalDb::open(&dir.path().join("c.db")).await.unwrap();
    (dir, db)
}

fn reason_of(text: &str) -> (usize, String) {
    match parse(text.as_bytes()).unwrap_err() {
        CoreError::CatalogCsv { line, reason } => (line, reason),
        other => panic!("expected a catalog CSV error, got {other}"),
    }
}

#[tokio::test]
async fn imports_products_barcodes_and_opening_stock() {
    let (_d, db) = db().await;
    let csv = format!(
        "{HEADER}MILK,\"Milk, whole 1L\",4006381333931,129,700,true,Dairy,24\n\
         APPL,Apples,036000291452,299,700,1,Fruit,10.5\n"
    );
    let report = import(&db, csv.as_bytes()).await.unwrap();
    assert_eq!(
        (report.products, report.created, report.stock_set),
        (2, 2, 2)
    );
    let milk = catalog::by_barcode(&db, "4006381333931")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(milk.name, "Milk, whole 1L", "quoted commas survive");
    assert_eq!(milk.category.as_deref(), Some("Dairy"));
    assert_eq!((milk.tax_rate_bp, milk.tax_inclusive), (700, true));
    let found = catalog::search(&db, "whole", 10).await.unwrap();
    assert_eq!(
        found.iter().map(|p| p.sku.as_str()).collect::<Vec<_>>(),
        ["MILK"],
        "imported names are searchable"
    );
    assert!(
        catalog::by_barcode(&db, "0036000291452")
            .await
            .unwrap()
            .is_some(),
        "UPC-A is stored in its 13-digit form"
    );
    let lv = stock::levels(&db, Some("APPL")).await.unwrap();
    assert_eq!(lv[0].on_hand_milli, 10_500);
}

#[tokio::test]
async fn columns_are_found_by_name_in_any_order_and_case() {
    let (_d, db) = db().await;
    let csv = "Price_Minor,SKU,Tax Inclusive,name,tax_rate_bp\n250,TEA,false,Green tea,1900\n";
    import(&db, csv.as_bytes()).await.unwrap();
    let tea = catalog::by_sku(&db, "TEA").await.unwrap().unwrap();
    assert_eq!((tea.name.as_str(), tea.price_minor), ("Green tea", 250));
}

#[tokio::test]
async fn a_semicolon_separated_export_imports_too() {
    let (_d, db) = db().await;
    let csv = "sku;name;price_minor;tax_rate_bp;tax_inclusive\nBUN;Bun, plain;80;700;ja\nROLL;Roll;60;700;1\n";
    // "ja" is not a bool this importer knows: the error names the line and the value.
    let (line, reason) = reason_of(csv);
    assert_eq!(line, 2);
    assert!(reason.contains("`ja`"), "{reason}");
    let csv = csv.replace(";ja", ";yes");
    assert_eq!(import(&db, csv.as_bytes()).await.unwrap().products, 2);
    let bun = catalog::by_sku(&db, "BUN").await.unwrap().unwrap();
    assert_eq!(
        bun.name, "Bun, plain",
        "a comma inside a ;-separated field is text"
    );
}

#[test]
fn unknown_and_missing_columns_are_named() {
    let (line, reason) = reason_of("sku,name,prce_minor,tax_rate_bp,tax_inclusive\nA,B,1,0,1\n");
    assert_eq!(line, 1);
    assert!(reason.contains("unknown column `prce_minor`"), "{reason}");
    let (_, reason) = reason_of("sku,name,price_minor\nA,B,1\n");
    assert!(
        reason.contains("lacks tax_rate_bp, tax_inclusive"),
        "{reason}"
    );
    let (_, reason) = reason_of("A1,Bread,100,700,true\n");
    assert!(
        reason.contains("unknown column `A1`"),
        "a file without a header: {reason}"
    );
}

#[test]
fn empty_header_only_and_binary_files_are_refused() {
    assert!(reason_of("").1.contains("the file is empty"));
    assert!(reason_of(" \n\n").1.contains("the file is empty"));
    let (line, reason) = reason_of(HEADER);
    assert_eq!(line, 2);
    assert!(reason.contains("no products"), "{reason}");
    let binary = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    let err = parse(&binary[..]).unwrap_err();
    assert!(err.to_string().contains("not a text file"), "{err}");
}

#[test]
fn duplicate_skus_and_barcodes_in_one_file_are_refused() {
    let (line, reason) = reason_of(&format!(
        "{HEADER}A,One,,100,0,true,,\nA,Two,,200,0,true,,\n"
    ));
    assert_eq!(line, 3);
    assert!(reason.contains("sku `A` is already on line 2"), "{reason}");
    // The same UPC-A code written as 12 and as 13 digits is one barcode.
    let (line, reason) = reason_of(&format!(
        "{HEADER}A,One,036000291452,100,0,true,,\nB,Two,0036000291452,200,0,true,,\n"
    ));
    assert_eq!(line, 3);
    assert!(reason.contains("is already on line 2"), "{reason}");
}

#[test]
fn values_outside_what_a_shop_means_are_refused() {
    let cases = [
        ("A,X,,100,99999,true,,", "tax_rate_bp `99999`"),
        ("A,X,,100,700,true,,-3", "cannot be negative"),
        ("A,X,,1.29,700,true,,", "1.29 is written 129"),
        ("A,X,,-5,700,true,,", "between 0 and"),
        ("A,X,,100,700,,,", "tax_inclusive ``"),
        ("A,X,,100,700,maybe,,", "tax_inclusive `maybe`"),
        (",X,,100,700,true,,", "needs a sku"),
        ("A,X,,100,700,true", "6 fields, but the header names 8"),
        (
            "A,X,4006381333932,100,700,true,,",
            "check digit is wrong (a valid code ends in 1)",
        ),
    ];
    for (row, want) in cases {
        let (line, reason) = reason_of(&format!("{HEADER}{row}\n"));
        assert_eq!(line, 2, "{row}");
        assert!(reason.contains(want), "{row}: {reason}");
    }
}

#[tokio::test]
async fn a_bad_row_names_its_line_and_imports_nothing() {
    let (_d, db) = db().await;
    let csv = format!("{HEADER}A,Ok,,100,0,true,,\nB,Bad,,ten,0,true,,\n");
    let err = import(&db, csv.as_bytes()).await.unwrap_err();
    assert!(
        matches!(err, CoreError::CatalogCsv { line: 3, .. }),
        "got {err}"
    );
    assert!(
        catalog::by_sku(&db, "A").await.unwrap().is_none(),
        "the import is atomic"
    );
}

#[tokio::test]
async fn a_second_import_updates_by_sku_and_a_blank_stock_keeps_the_level() {
    let (_d, db) = db().await;
    let first = format!("{HEADER}A,Apple,,100,0,true,,5\nB,Bean,,50,0,true,,7\n");
    import(&db, first.as_bytes()).await.unwrap();
    let second = format!("{HEADER}A,Apple red,,120,0,true,,\nC,Corn,,80,0,true,,2\n");
    let report = import(&db, second.as_bytes()).await.unwrap();
    assert_eq!(
        (
            report.products,
            report.created,
            report.updated,
            report.stock_set
        ),
        (2, 1, 1, 1)
    );
    let a = catalog::by_sku(&db, "A").await.unwrap().unwrap();
    assert_eq!((a.name.as_str(), a.price_minor), ("Apple red", 120));
    assert_eq!(
        stock::levels(&db, Some("A")).await.unwrap()[0].on_hand_milli,
        5_000
    );
    assert!(
        catalog::by_sku(&db, "B").await.unwrap().is_some(),
        "products missing from the file stay"
    );
}
