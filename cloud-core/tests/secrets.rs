//! No credential, token, config or error type prints a secret.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use cloud_core::auth::{ClientAuth, TokenCache, TokenResponse};
use cloud_core::emulator::{Harness, OAuth2Server, OAuth2ServerConfig};
use cloud_core::{
    BasicCredentials, Error, ErrorContext, ErrorKind, OAuth2Client, Secret, Token, Transport,
};

const SECRET: &str = "s3cr3t-value-42";

fn assert_clean(what: &str, shown: String) {
    assert!(!shown.contains(SECRET), "{what} leaks: {shown}");
}

#[tokio::test]
async fn debug_of_every_credential_and_error_holds_no_secret() {
    let token = Token::new(SECRET).with_refresh_token(Some(Secret::new(SECRET)));
    assert_clean("Secret", format!("{:?}", Secret::new(SECRET)));
    assert_clean("Token", format!("{token:?} {token:#?}"));
    let resp: TokenResponse = serde_json::from_value(serde_json::json!({
        "access_token": SECRET, "refresh_token": SECRET, "id_token": SECRET
    }))
    .unwrap();
    assert_clean("TokenResponse", format!("{resp:?}"));
    assert_clean(
        "BasicCredentials",
        format!("{:?}", BasicCredentials::new(SECRET, SECRET)),
    );
    let t = Transport::builder(
        format!("http://u:{SECRET}@127.0.0.1:1/?token={SECRET}"),
        "t/0",
    )
    .build()
    .unwrap();
    assert_clean("Transport", format!("{t:?}"));
    let client = OAuth2Client {
        client_id: "id".into(),
        client_secret: Some(Secret::new(SECRET)),
        authorize_url: url::Url::parse("http://127.0.0.1:1/a").unwrap(),
        token_url: url::Url::parse("http://127.0.0.1:1/t").unwrap(),
        redirect_uri: None,
        client_auth: ClientAuth::RequestBody,
    };
    assert_clean("OAuth2Client", format!("{client:?}"));
    let cache = TokenCache::new(Some(token.clone()), Arc::new((client, t)));
    assert_clean("TokenCache", format!("{cache:?}"));
    let url = url::Url::parse(&format!(
        "http://user:{SECRET}@127.0.0.1/x?access_token={SECRET}&refresh_token={SECRET}&code={SECRET}&client_secret={SECRET}"
    ))
    .unwrap();
    let err = Error::new(ErrorKind::Unauthorized)
        .context(ErrorContext::request(&http::Method::GET, &url));
    assert_clean("Error", format!("{err:?} {err}"));
    let harness = Harness::new();
    let cfg = OAuth2ServerConfig::new("cid", SECRET);
    assert_clean("OAuth2ServerConfig", format!("{cfg:?}"));
    let server = OAuth2Server::new(cfg, &harness);
    assert_clean("OAuth2Server", format!("{server:?}"));
    let issued = server.issue_token();
    let shown = format!("{issued:?}");
    assert!(!shown.contains(issued.access_token.expose()));
    assert!(!shown.contains(issued.refresh_token.expose()));
}
