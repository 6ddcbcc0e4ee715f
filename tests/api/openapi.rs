use crate::on_both_backends;
use crate::paths::OPENAPI;
use crate::support::{Backend, spawn};

on_both_backends!(the_served_document_is_the_committed_one);

async fn the_served_document_is_the_committed_one(backend: Backend) {
    let app = spawn(backend).await;
    let served = app.get(OPENAPI, None).await.expect(200);
    assert_eq!(served.header("content-type"), Some("application/json"));
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json is committed"),
    )
    .unwrap();
    assert!(
        served.body == committed,
        "the served document differs from openapi/openapi.json; regenerate it with \
         `cargo run -- openapi > openapi/openapi.json`"
    );
    assert!(served.body["openapi"].as_str().unwrap().starts_with("3.1"));
}
