//! Every call of the Kloudless clients, once, against the embedded emulator: the example each
//! method's documentation points to (docs.rs shows these calls under the methods).
//!
//! `cargo run -p kloudless --features emulator --example kloudless-tour`
use http::Method;
use kloudless::{Account, AuthorizationOptions, Client, Configuration, RequestOptions};
use serde_json::{json, Map, Value};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emu = kloudless::emulator::Emulator::start().await?;
    // The module-level configuration the OAuth helpers and `Account::new` read.
    kloudless::set_configuration(Configuration::with_base_url(emu.base_url()));
    println!("configuration: {}", kloudless::configuration().base_url);

    // OAuth: the authorization URL, the callback's parameters, the code exchanged.
    let redirect = "http://localhost:8020/callback";
    let (url, state) = kloudless::get_authorization_url(
        emu.app_id(),
        redirect,
        AuthorizationOptions::default().scope("storage"),
    )?;
    let no_redirects = cloud_core::reqwest::Client::builder()
        .redirect(cloud_core::reqwest::redirect::Policy::none())
        .build()?;
    let answer = no_redirects.get(&url).send().await?;
    let callback = answer
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .ok_or("no redirect")?;
    let params: Map<String, Value> = url::Url::parse(callback)?
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), json!(v.into_owned())))
        .collect();
    let token =
        kloudless::get_token_from_code(emu.app_id(), emu.api_key(), &state, redirect, &params)
            .await?;
    let info = kloudless::verify_token(emu.app_id(), &token).await?;
    println!("verify_token: account {}", info["account_id"]);
    let account: Account = kloudless::get_verified_account(emu.app_id(), &token).await?;
    println!(
        "get_verified_account: {} (id {})",
        account.url(),
        account.account_id()
    );

    // The generic verbs, on the account and on the client beneath it.
    let me = account
        .request(Method::GET, "", RequestOptions::default())
        .await?
        .into_resource()?;
    println!("request GET: service {}", me.data["service"]);
    let client: &Client = account.as_client();
    let folder = client
        .post(
            "storage/folders",
            RequestOptions::default().json(json!({"parent_id": "root", "name": "Docs"})),
        )
        .await?
        .into_resource()?;
    let id = folder.data["id"].as_str().unwrap_or_default().to_owned();
    let renamed = account
        .patch(
            &format!("storage/folders/{id}"),
            RequestOptions::default().json(json!({"name": "Papers"})),
        )
        .await?
        .into_resource()?;
    println!("patch: renamed to {}", renamed.data["name"]);
    let upload = account
        .put(
            "storage/files",
            RequestOptions::default()
                .header(
                    "X-Kloudless-Metadata",
                    json!({"parent_id": id, "name": "a.txt"}).to_string(),
                )
                .data(b"one".to_vec()),
        )
        .await;
    // Files are created by POST; the emulator refuses a PUT there as the service did.
    println!(
        "put storage/files: {}",
        if upload.is_ok() { "ok" } else { "refused" }
    );
    let file = client
        .request(
            Method::POST,
            "storage/files",
            RequestOptions::default()
                .header(
                    "X-Kloudless-Metadata",
                    json!({"parent_id": id, "name": "a.txt"}).to_string(),
                )
                .data(b"one".to_vec()),
        )
        .await?
        .into_resource()?;
    println!("client request POST: {}", file.data["name"]);
    let fid = file.data["id"].as_str().unwrap_or_default().to_owned();
    client
        .put(
            &format!("storage/files/{fid}"),
            RequestOptions::default().data(b"two".to_vec()),
        )
        .await?;
    println!("client put: contents replaced");
    client
        .patch(
            &format!("storage/files/{fid}"),
            RequestOptions::default().json(json!({"name": "b.txt"})),
        )
        .await?;
    println!("client patch: renamed");

    // A list's `api` field, a resource's own verbs.
    let list = account
        .get(
            &format!("storage/folders/{id}/contents"),
            RequestOptions::default(),
        )
        .await?
        .into_list()?;
    println!(
        "list api field: {:?}, {} object(s)",
        list.api(),
        list.objects.len()
    );
    println!("next_page: {:?}, page: {:?}", list.next_page(), list.page());

    // The per-call options of the original's session: the API version, raw data, raw headers
    // and impersonation (headers the service reads), then default headers set on the account
    // and on the client beneath it (`account.headers[k] = v`).
    let raw_headers = serde_json::Map::from_iter([("X-Trace".to_owned(), json!("tour"))]);
    let opts = RequestOptions::default()
        .api_version(1)
        .get_raw_data(false)
        .raw_headers(raw_headers)
        .impersonate_user_id(77);
    let root = account.get("storage/folders/root", opts).await?;
    println!(
        "per-call options: root is {:?}",
        root.data().map(|d| d["id"].clone())
    );
    account.set_header("X-Kloudless-Raw-Data", "false");
    client.set_header("X-Tour", "1");

    let mut res = account
        .get(&format!("storage/files/{fid}"), RequestOptions::default())
        .await?
        .into_resource()?;
    res.patch("", RequestOptions::default().json(json!({"name": "c.txt"})))
        .await?;
    res.refresh().await?;
    println!("resource patch + refresh: {}", res.data["name"]);
    res.put("", RequestOptions::default().data(b"three".to_vec()))
        .await?;
    let body = res
        .request(Method::GET, "contents", RequestOptions::default())
        .await?
        .into_raw()?
        .bytes()
        .await?;
    println!(
        "resource put + request GET contents: {:?}",
        String::from_utf8_lossy(&body)
    );
    Ok(())
}
