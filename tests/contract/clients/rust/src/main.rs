//! Uses the generated Rust client against a live server: lists, pages with the cursor, reads one,
//! and gets a typed error for an unknown id. Usage: use-rust-client <base URL>

use alliance_kb_client::apis::commitments_api::{get_commitment, list_commitments, GetCommitmentError};
use alliance_kb_client::apis::configuration::Configuration;
use alliance_kb_client::apis::Error;
use alliance_kb_client::models::CommitmentKind;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let base = std::env::args().nth(1).expect("usage: use-rust-client <base URL>");
    let config = Configuration {
        base_path: base,
        ..Configuration::default()
    };
    let list = |cursor: Option<String>, kinds: Option<Vec<CommitmentKind>>, limit: i32| {
        let config = config.clone();
        async move {
            list_commitments(
                &config, None, None, None, None, kinds, None, None, None, None, None, None, None,
                cursor.as_deref(), Some(limit), None,
            )
            .await
            .expect("a page of commitments")
        }
    };
    let all = list(None, None, 500).await;
    assert!(all.items.len() > 3, "the seed's commitments");
    let mut paged = Vec::new();
    let mut cursor = None;
    loop {
        let page = list(cursor, None, 2).await;
        paged.extend(page.items.iter().map(|c| c.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, all.items.iter().map(|c| c.id).collect::<Vec<_>>(), "paging by cursor reaches every commitment once");
    let kinds = vec![CommitmentKind::Troops, CommitmentKind::NavalSupport];
    let filtered = list(None, Some(kinds.clone()), 500).await;
    assert!(!filtered.items.is_empty() && filtered.items.iter().all(|c| kinds.contains(&c.kind)));

    let first = &all.items[0];
    let one = get_commitment(&config, first.id, None, None, None).await.expect("one commitment");
    assert_eq!((one.id, &one.nation), (first.id, &first.nation));

    match get_commitment(&config, 999_999_999, None, None, None).await {
        Err(Error::ResponseError(response)) => {
            assert_eq!(response.status.as_u16(), 404);
            match response.entity {
                Some(GetCommitmentError::Status404(problem)) => {
                    assert!(problem.detail.contains("999999999"), "{}", problem.detail)
                }
                other => panic!("a 404 decodes as Status404, not {other:?}"),
            }
        }
        other => panic!("an unknown id is a 404, not {other:?}"),
    }
    println!(
        "rust client: {} commitments listed, {} paged two at a time, {} troops or naval, one read, a typed 404",
        all.items.len(),
        paged.len(),
        filtered.items.len()
    );
}
