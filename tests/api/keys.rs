//! Keys and roles: reading is public, writing needs a key, managing keys needs an admin's.

use actix_web::http::Method;
use alliance_kb::vocab::KeyRole;
use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn managing_keys_needs_an_admin_key_and_says_how_to_get_one() {
    let app = spawn_app().await;
    let new_key = json!({"name": "Research desk", "role": "editor"});
    let none = app.send(Method::POST, "/v1/keys", &[], Some(new_key.clone())).await;
    let problem = none.problem(401);
    assert_eq!(none.header("www-authenticate"), Some("Bearer realm=\"alliance-kb\""));
    assert!(
        problem["detail"].as_str().unwrap().contains("Authorization: Bearer"),
        "{problem}"
    );
    for bad in [
        "Bearer nonsense",
        "Bearer akb_1_wrongsecret",
        "Basic dXNlcjpwYXNz",
        "Bearer akb_999999_x",
    ] {
        let res = app
            .send(
                Method::POST,
                "/v1/keys",
                &[("authorization", bad)],
                Some(new_key.clone()),
            )
            .await;
        res.problem(401);
        assert!(res.header("www-authenticate").is_some());
    }
    let editor = app.make_key(KeyRole::Editor).await;
    let bearer = format!("Bearer {editor}");
    app.send(
        Method::POST,
        "/v1/keys",
        &[("authorization", &bearer)],
        Some(new_key.clone()),
    )
    .await
    .problem(403);
    app.send(Method::GET, "/v1/keys", &[("authorization", &bearer)], None)
        .await
        .problem(403);

    let admin = format!("Bearer {}", app.make_key(KeyRole::Admin).await);
    // A name is measured as sent (as the document's `maxLength` says), and must say something.
    let padded = format!("{}   ", "n".repeat(198));
    for bad in [padded.as_str(), " \u{3000}\r", "desk\u{0}"] {
        let res = app
            .send(
                Method::POST,
                "/v1/keys",
                &[("authorization", &admin)],
                Some(json!({"name": bad, "role": "editor"})),
            )
            .await;
        let problem = res.problem(422);
        assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
    }
    let created = app
        .send(Method::POST, "/v1/keys", &[("authorization", &admin)], Some(new_key))
        .await;
    assert_eq!(
        created.status.as_u16(),
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let created = created.json();
    assert_eq!(created["role"], "editor");
    assert_eq!(created["name"], "Research desk");
    let text = created["key"].as_str().unwrap();
    let prefix = format!("akb_{}_", created["id"]);
    assert!(text.starts_with(&prefix));
    // The secret is base64url, which may itself hold `_`: all of it follows the id's prefix.
    let secret = &text[prefix.len()..];
    assert_eq!(secret.len(), 43, "32 bytes in base64url: {text}");

    // Only the hash is stored; the listing shows no secret.
    let stored = app.database.query(&format!(
        "SELECT secret_sha256 FROM api_keys WHERE id = {}",
        created["id"]
    ));
    let hash = stored[0][0].clone().unwrap();
    assert_eq!(hash.len(), 64);
    assert!(!text.contains(&hash) && !hash.contains(secret));
    let listed = app
        .send(Method::GET, "/v1/keys", &[("authorization", &admin)], None)
        .await;
    assert_eq!(listed.status.as_u16(), 200);
    let body = String::from_utf8_lossy(&listed.body).to_string();
    assert!(
        !body.contains(secret) && !body.contains(&hash),
        "no secret in the list: {body}"
    );
    assert_eq!(listed.json()["items"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn a_revoked_key_is_refused_at_once() {
    let app = spawn_app().await;
    let admin = format!("Bearer {}", app.make_key(KeyRole::Admin).await);
    let created = app
        .send(
            Method::POST,
            "/v1/keys",
            &[("authorization", &admin)],
            Some(json!({"name": "temp", "role": "admin"})),
        )
        .await
        .json();
    let temp = format!("Bearer {}", created["key"].as_str().unwrap());
    assert_eq!(
        app.send(Method::GET, "/v1/keys", &[("authorization", &temp)], None)
            .await
            .status
            .as_u16(),
        200
    );
    let revoked = app
        .send(
            Method::DELETE,
            &format!("/v1/keys/{}", created["id"]),
            &[("authorization", &admin)],
            None,
        )
        .await;
    assert_eq!(revoked.status.as_u16(), 200);
    assert!(revoked.json()["revoked_at"].is_string());
    let refused = app
        .send(Method::GET, "/v1/keys", &[("authorization", &temp)], None)
        .await;
    assert!(refused.problem(401)["detail"].as_str().unwrap().contains("revoked"));
    app.send(Method::DELETE, "/v1/keys/999999", &[("authorization", &admin)], None)
        .await
        .problem(404);
    // Reading stays public.
    assert_eq!(app.get("/v1/commitments").await.status.as_u16(), 200);
}

#[actix_web::test]
async fn the_keys_command_makes_lists_and_revokes_keys_and_never_logs_them() {
    let app = spawn_app().await;
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_alliance-kb"))
            .args(args)
            .env("DATABASE_URL", &app.database.url)
            .env("RUST_LOG", "debug")
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).to_string(),
            String::from_utf8_lossy(&output.stderr).to_string(),
        )
    };
    let (ok, stdout, stderr) = run(&["keys", "create", "--name", "CLI admin", "--role", "admin"]);
    assert!(ok, "{stderr}");
    let key = stdout.trim().to_owned();
    assert!(key.starts_with("akb_"), "{stdout}");
    assert!(!stderr.contains(&key), "the key is not in the log");
    let bearer = format!("Bearer {key}");
    assert_eq!(
        app.send(Method::GET, "/v1/keys", &[("authorization", &bearer)], None)
            .await
            .status
            .as_u16(),
        200
    );

    let (ok, listing, _) = run(&["keys", "list"]);
    assert!(
        ok && listing.contains("CLI admin") && !listing.contains(&key),
        "{listing}"
    );
    let id = key.split('_').nth(1).unwrap();
    let (ok, said, _) = run(&["keys", "revoke", id]);
    assert!(ok && said.contains("revoked"), "{said}");
    app.send(Method::GET, "/v1/keys", &[("authorization", &bearer)], None)
        .await
        .problem(401);

    let (ok, _, stderr) = run(&["keys", "create", "--name", "x", "--role", "boss"]);
    assert!(!ok && stderr.contains("editor, admin"), "{stderr}");
}
