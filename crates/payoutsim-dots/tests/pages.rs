//! Cursor pages of the list endpoints: `limit` 1..100 (default 10; outside it 400, never
//! clamped), `starting_after` / `ending_before` (object ids in list order), `has_more` in the
//! direction of travel, and cursors naming no object of the list (400). Users are the list
//! walked; the other lists take the same parameters.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::*;

const UNKNOWN: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

/// `count` users of `sandbox()`, newest first (the list's order).
async fn listed(sim: &Sim, count: u32) -> Vec<String> {
    let mut ids = sim.users(&sandbox(), 1, count).await;
    ids.reverse();
    ids
}

#[tokio::test]
async fn the_default_page_holds_ten_objects_and_says_there_are_more() {
    let sim = sim(1);
    let ids = listed(&sim, 12).await;

    let r = sim.get(&sandbox(), "/v2/users").await;

    assert_eq!(r.ok(200)["has_more"], true);
    assert_eq!(r.ids(), ids[..10]);
}

#[tokio::test]
async fn a_page_that_takes_the_last_object_has_no_more() {
    let sim = sim(1);
    let ids = listed(&sim, 10).await;

    let r = sim.get(&sandbox(), "/v2/users").await;

    assert_eq!(r.ok(200)["has_more"], false);
    assert_eq!(r.ids(), ids);
}

#[tokio::test]
async fn limits_of_1_and_100_are_accepted() {
    let sim = sim(1);
    let ids = listed(&sim, 101).await;

    let one = sim.get(&sandbox(), "/v2/users?limit=1").await;
    let hundred = sim.get(&sandbox(), "/v2/users?limit=100").await;

    assert_eq!(one.ids(), ids[..1]);
    assert_eq!(one.json["has_more"], true);
    assert_eq!(hundred.ids(), ids[..100]);
    assert_eq!(hundred.json["has_more"], true);
}

#[tokio::test]
async fn a_limit_outside_1_to_100_or_not_an_integer_is_400_never_clamped() {
    let sim = sim(1);
    listed(&sim, 2).await;

    for limit in ["0", "101", "-1", "ten", "1.5", ""] {
        let r = sim
            .get(&sandbox(), &format!("/v2/users?limit={limit}"))
            .await;

        r.assert_envelope(400, "invalid-input");
        assert_eq!(
            r.message(),
            "limit: must be an integer from 1 to 100",
            "limit={limit}"
        );
    }
}

#[tokio::test]
async fn every_cursor_list_takes_the_same_limit_rule() {
    let sim = sim(1);
    let lists = [
        "/v2/users",
        "/v2/transfers",
        "/v2/payout-links",
        "/v2/payout-batches",
        "/v2/flows",
    ];

    for list in lists {
        let refused = sim.get(&sandbox(), &format!("{list}?limit=101")).await;
        let empty = sim.get(&sandbox(), &format!("{list}?limit=100")).await;

        refused.assert_envelope(400, "invalid-input");
        assert_eq!(
            refused.message(),
            "limit: must be an integer from 1 to 100",
            "{list}"
        );
        assert_eq!(
            empty.ok(200),
            &json!({"data": [], "has_more": false}),
            "{list}"
        );
    }
}

#[tokio::test]
async fn starting_after_answers_the_objects_that_follow_the_cursor() {
    let sim = sim(1);
    let ids = listed(&sim, 5).await;

    let next = sim
        .get(
            &sandbox(),
            &format!("/v2/users?limit=2&starting_after={}", ids[1]),
        )
        .await;
    let last = sim
        .get(
            &sandbox(),
            &format!("/v2/users?limit=2&starting_after={}", ids[2]),
        )
        .await;
    let beyond = sim
        .get(&sandbox(), &format!("/v2/users?starting_after={}", ids[4]))
        .await;

    assert_eq!(next.ids(), ids[2..4]);
    assert_eq!(next.json["has_more"], true);
    assert_eq!(last.ids(), ids[3..5]);
    assert_eq!(last.json["has_more"], false);
    assert_eq!(beyond.ok(200), &json!({"data": [], "has_more": false}));
}

#[tokio::test]
async fn ending_before_answers_the_objects_just_before_the_cursor_in_list_order() {
    let sim = sim(1);
    let ids = listed(&sim, 5).await;

    let before = sim
        .get(
            &sandbox(),
            &format!("/v2/users?limit=2&ending_before={}", ids[4]),
        )
        .await;
    let first = sim
        .get(
            &sandbox(),
            &format!("/v2/users?limit=2&ending_before={}", ids[2]),
        )
        .await;
    let nothing = sim
        .get(&sandbox(), &format!("/v2/users?ending_before={}", ids[0]))
        .await;

    assert_eq!(before.ids(), ids[2..4]);
    assert_eq!(before.json["has_more"], true, "ids[0..2] lie before them");
    assert_eq!(first.ids(), ids[..2]);
    assert_eq!(first.json["has_more"], false);
    assert_eq!(nothing.ok(200), &json!({"data": [], "has_more": false}));
}

#[tokio::test]
async fn walking_forward_with_starting_after_lists_every_object_once() {
    let sim = sim(1);
    let ids = listed(&sim, 25).await;

    let pages = sim.walk(&sandbox(), "/v2/users", 10).await;

    let more: Vec<bool> = pages.iter().map(|(_, m)| *m).collect();
    assert_eq!(more, [true, true, false]);
    let walked: Vec<String> = pages.into_iter().flat_map(|(p, _)| p).collect();
    assert_eq!(walked, ids);
}

#[tokio::test]
async fn walking_back_with_ending_before_lists_every_object_once() {
    let sim = sim(1);
    let ids = listed(&sim, 7).await;
    let mut before = ids[6].clone();
    let mut walked = vec![before.clone()];

    let mut more = true;
    while more {
        let r = sim
            .get(
                &sandbox(),
                &format!("/v2/users?limit=3&ending_before={before}"),
            )
            .await;
        let page = r.ids();
        more = r.ok(200)["has_more"].as_bool().unwrap();
        before = page[0].clone();
        walked.splice(0..0, page);
    }

    assert_eq!(walked, ids);
}

#[tokio::test]
async fn a_cursor_that_names_no_object_of_the_list_is_400() {
    let sim = sim(1);
    listed(&sim, 3).await;

    for cursor in [
        format!("starting_after={UNKNOWN}"),
        format!("ending_before={UNKNOWN}"),
        "starting_after=nope".into(),
    ] {
        let r = sim.get(&sandbox(), &format!("/v2/users?{cursor}")).await;

        r.assert_envelope(400, "invalid-input");
        assert!(
            r.message().starts_with("No object with id "),
            "{cursor}: {}",
            r.json
        );
    }
}

#[tokio::test]
async fn a_cursor_of_another_app_another_list_or_a_deleted_user_is_unknown() {
    let sim = sim(1);
    let ids = listed(&sim, 3).await;
    let foreign = sim.user(&Keys::sandbox("beta"), 1).await;
    let flow = sim
        .post(&sandbox(), "/v2/flows", json!({"steps": ["payout"]}))
        .await;
    sim.delete(&sandbox(), &format!("/v2/users/{}", ids[1]))
        .await
        .ok(200);

    let other_app = sim
        .get(&sandbox(), &format!("/v2/users?starting_after={foreign}"))
        .await;
    let other_list = (sim.get(
        &sandbox(),
        &format!("/v2/users?ending_before={}", flow.id()),
    ))
    .await;
    let deleted = sim
        .get(&sandbox(), &format!("/v2/users?starting_after={}", ids[1]))
        .await;
    let rest = sim
        .get(&sandbox(), &format!("/v2/users?starting_after={}", ids[0]))
        .await;

    for (r, id) in [
        (&other_app, &foreign),
        (&other_list, &flow.id()),
        (&deleted, &ids[1]),
    ] {
        r.assert_envelope(400, "invalid-input");
        assert_eq!(r.message(), format!("No object with id {id} to page from"));
    }
    assert_eq!(rest.ids(), [ids[2].clone()], "the deleted user is skipped");
}

#[tokio::test]
async fn starting_after_and_ending_before_together_are_400() {
    let sim = sim(1);
    let ids = listed(&sim, 3).await;

    let both = format!(
        "/v2/users?starting_after={}&ending_before={}",
        ids[0], ids[2]
    );
    let r = sim.get(&sandbox(), &both).await;

    r.assert_envelope(400, "invalid-input");
    assert_eq!(
        r.message(),
        "starting_after and ending_before cannot be used together"
    );
}

#[tokio::test]
async fn a_filter_pages_only_matching_objects_and_any_object_is_a_cursor() {
    let sim = sim(1);
    let keys = sandbox();
    let a = sim.verified_user(&keys, 1).await;
    let unverified = sim.user(&keys, 2).await;
    let b = sim.verified_user(&keys, 3).await;
    sim.user(&keys, 4).await;

    let first = sim.get(&keys, "/v2/users?status=verified&limit=1").await;
    let from_other = sim
        .get(
            &keys,
            &format!("/v2/users?status=verified&starting_after={unverified}"),
        )
        .await;

    assert_eq!(first.ids(), [b]);
    assert_eq!(first.json["has_more"], true, "one more verified user");
    assert_eq!(from_other.ids(), [a]);
    assert_eq!(from_other.json["has_more"], false, "user 2 is not counted");
}

#[tokio::test]
async fn reverse_order_pages_oldest_first_and_its_cursors_follow_it() {
    let sim = sim(1);
    let keys = sandbox();
    let user = sim.user(&keys, 1).await;
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(
            sim.transfer(&keys, &user, -100).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }

    let first = sim
        .get(&keys, "/v2/transfers?reverse_order=true&limit=2")
        .await;
    let pages = sim.walk(&keys, "/v2/transfers?reverse_order=true", 3).await;

    assert_eq!(first.ids(), ids[..2]);
    assert_eq!(
        pages,
        [(ids[..3].to_vec(), true), (ids[3..].to_vec(), false)]
    );
}
