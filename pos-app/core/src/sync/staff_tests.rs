//! The `staff` stream: people a manager adds in the portal log in at the till by PIN,
//! offline; removing them locks them out; staff added at the till itself are left alone.

use pos_shared::role::Role;
use pos_shared::sync::{Change, ChangeOp, ShopStaff, Stream};

use super::pull::PageOutcome;
use super::test_support::{apply, page, terminal};
use crate::error::CoreError;
use crate::staff;

fn member(cursor: i64, id: &str, role: Role, pin: Option<&str>, active: bool) -> Change {
    let seen = ShopStaff {
        user_id: id.into(),
        name: format!("Person {id}"),
        role,
        pin_hash: pin.map(|p| staff::hash_pin(p).unwrap()),
        active,
    };
    Change {
        cursor,
        entity: "staff".into(),
        id: id.into(),
        op: ChangeOp::Upsert,
        data: Some(serde_json::to_value(seen).unwrap()),
    }
}

#[tokio::test]
async fn staff_from_the_server_log_in_offline_until_removed() {
    let (_d, db) = terminal().await;
    let local = staff::add(&db, "Till owner", Role::ShopManager, "9999")
        .await
        .unwrap();
    let first = page(
        Stream::Staff,
        0,
        vec![
            member(1, "u-ana", Role::Cashier, Some("2468"), true),
            member(2, "u-bo", Role::ShopManager, None, true),
            // A change naming the till's own staff id never overwrites that person.
            member(3, &local.id, Role::Cashier, Some("1357"), true),
        ],
        3,
    );
    assert!(matches!(
        apply(&db, &first).await,
        PageOutcome::Applied { rows: 3, .. }
    ));

    let ana = staff::login(&db, "2468")
        .await
        .expect("Ana's portal PIN works at the till");
    assert_eq!((ana.id.as_str(), ana.role), ("u-ana", Role::Cashier));
    assert!(
        matches!(
            staff::login(&db, "1357").await,
            Err(CoreError::WrongPin { .. })
        ),
        "the local member's PIN was not replaced"
    );
    assert_eq!(staff::login(&db, "9999").await.unwrap().id, local.id);
    let names: Vec<String> = staff::list(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert!(
        !names.contains(&"Person u-bo".to_owned()),
        "someone without a PIN cannot log in, so is not offered: {names:?}"
    );

    // Ana is promoted and gets a new PIN, then leaves the shop.
    let second = page(
        Stream::Staff,
        3,
        vec![member(4, "u-ana", Role::ShopManager, Some("8642"), true)],
        4,
    );
    apply(&db, &second).await;
    assert!(
        staff::login(&db, "2468").await.is_err(),
        "the old PIN is gone"
    );
    assert_eq!(
        staff::login(&db, "8642").await.unwrap().role,
        Role::ShopManager
    );
    let third = page(
        Stream::Staff,
        4,
        vec![member(5, "u-ana", Role::ShopManager, None, false)],
        5,
    );
    apply(&db, &third).await;
    assert!(
        matches!(
            staff::login(&db, "8642").await,
            Err(CoreError::WrongPin { .. })
        ),
        "removed staff cannot log in"
    );
}
