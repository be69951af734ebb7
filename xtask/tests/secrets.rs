//! Secrets, across the workspace: no credential, token, client, configuration or error type
//! of any crate shows a secret in `{:?}` or `{}`; the `tracing` output at TRACE of a whole
//! workflow of every crate against its emulator (emulators included) holds none of the
//! secrets it used; the token file acd writes is mode 0600.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use futures::TryStreamExt;

const SECRET: &str = "s3cr3t-Value-0042-long-enough-for-smartfile";

fn clean(what: &str, shown: &str, secrets: &[String]) {
    for s in secrets {
        assert!(
            !shown.contains(s.as_str()),
            "{what} shows a secret: {shown}"
        );
    }
}

fn known() -> Vec<String> {
    vec![SECRET.to_owned()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_and_display_of_every_credential_client_and_error_hold_no_secret() {
    let s = known();

    // verizon-pcs: options, client, tokens, the error of a refused refresh.
    let opts = verizon_pcs::CloudOptions::default()
        .access_token(SECRET)
        .refresh_token(SECRET)
        .base_url("http://127.0.0.1:9/cloud/1");
    clean("verizon CloudOptions", &format!("{opts:?}"), &s);
    let cloud = verizon_pcs::Cloud::new("key", SECRET, "http://127.0.0.1:9/cb", opts).unwrap();
    clean(
        "verizon Cloud",
        &format!("{cloud:?} {:?}", cloud.access_token()),
        &s,
    );
    let e = cloud.refresh().await.unwrap_err();
    clean("verizon Error", &format!("{e:?} {e}"), &s);

    // acd: a client from a cache folder holding the secret as both tokens.
    let emu = acd::emulator::Emulator::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    emu.write_cache(dir.path()).unwrap();
    let oauth = dir.path().join("oauth_data");
    let mut data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&oauth).unwrap()).unwrap();
    data["access_token"] = SECRET.into();
    data["refresh_token"] = SECRET.into();
    std::fs::write(&oauth, data.to_string()).unwrap();
    let opts = acd::AcdOptions::default()
        .base_url(&emu.base_url())
        .pacing(acd::Pacing::Off);
    clean("acd AcdOptions", &format!("{opts:?}"), &s);
    let c = acd::AcdClient::new(dir.path(), dir.path(), opts)
        .await
        .unwrap();
    clean("acd AcdClient", &format!("{c:?}"), &s);
    let e = c
        .get_metadata(&emu.root_id(), false, false)
        .await
        .unwrap_err();
    clean("acd Error", &format!("{e:?} {e}"), &s);

    // smartfile: Basic and OAuth 1.0a clients, tokens, the error of a refused password.
    let emu = smartfile::emulator::Emulator::start().await.unwrap();
    let basic = smartfile::BasicClient::new(
        Some(emu.key()),
        Some(SECRET),
        smartfile::BasicOptions::default().url(emu.base_url()),
    )
    .unwrap();
    clean("smartfile BasicClient", &format!("{basic:?}"), &s);
    let e = basic
        .get("/whoami", (), smartfile::Params::new())
        .await
        .unwrap_err();
    clean("smartfile Error", &format!("{e:?} {e}"), &s);
    let oauth = smartfile::OAuthClient::new(
        Some("a-client-token-long-enough-for-smartfile"),
        Some(SECRET),
        Some("an-access-token-long-enough-for-smartfile"),
        Some(SECRET),
        smartfile::ClientOptions::default().url(emu.base_url()),
    )
    .unwrap();
    clean("smartfile OAuthClient", &format!("{oauth:?}"), &s);
    let t = smartfile::OAuthToken::new("token", SECRET);
    clean("smartfile OAuthToken", &format!("{t:?}"), &s);

    // kloudless: account and client on the secret, the error of a refused token.
    let emu = kloudless::emulator::Emulator::start().await.unwrap();
    let cfg = kloudless::Configuration::with_base_url(emu.base_url());
    let account = kloudless::Account::with_config(Some(SECRET), None, None, &cfg).unwrap();
    clean("kloudless Account", &format!("{account:?}"), &s);
    let client = kloudless::Client::with_config(Some(SECRET), None, &cfg).unwrap();
    clean("kloudless Client", &format!("{client:?}"), &s);
    let e = account
        .get("", kloudless::RequestOptions::default())
        .await
        .unwrap_err();
    clean("kloudless Error", &format!("{e:?} {e}"), &s);

    // orange-cloud: the manager on the secret, the error of a refused refresh token.
    let emu = orange_cloud::emulator::Emulator::start().await.unwrap();
    let opts = orange_cloud::ApiManagerOptions::default().base_url(&emu.base_url());
    clean("orange ApiManagerOptions", &format!("{opts:?}"), &s);
    let m =
        orange_cloud::ApiManager::new(emu.client_id(), SECRET, emu.redirect_uri(), opts).unwrap();
    clean("orange ApiManager", &format!("{m:?}"), &s);
    let e = m.init_with_token(SECRET).await.unwrap_err();
    clean("orange Error", &format!("{e:?} {e}"), &s);
    clean(
        "orange ApiManager after a refused token",
        &format!("{m:?}"),
        &s,
    );
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_output_of_whole_workflows_holds_no_secret() {
    let out = Captured::default();
    let writer = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let mut secrets = known();

    // verizon-pcs: the code flow, an upload, a search, a download, a refresh.
    let emu = verizon_pcs::emulator::Emulator::start().await.unwrap();
    secrets.push(emu.client_secret().expose().to_owned());
    let cloud = verizon_pcs::Cloud::new(
        emu.client_key(),
        emu.client_secret(),
        emu.callback_url(),
        verizon_pcs::CloudOptions::default().base_url(emu.api_cloud()),
    )
    .unwrap();
    let code = emu.approve(&cloud.authorize_url()).await.unwrap();
    secrets.push(code.clone());
    let token = cloud.token(&code).await.unwrap();
    secrets.push(token.access_token.expose().to_owned());
    let opts = verizon_pcs::UploadOptions::default().name("a.txt");
    cloud
        .upload(b"hello".to_vec(), "/VZMOBILE/t", opts)
        .await
        .unwrap();
    let hits: Vec<_> = cloud
        .search_stream("a", verizon_pcs::SearchOptions::default())
        .try_collect()
        .await
        .unwrap();
    assert!(!hits.is_empty());
    let refreshed = cloud.refresh().await.unwrap();
    secrets.push(refreshed.access_token.expose().to_owned());
    secrets.push(refreshed.refresh_token.expose().to_owned());
    secrets.push(token.refresh_token.expose().to_owned());
    let dir = tempfile::tempdir().unwrap();
    cloud
        .download_to_path("/VZMOBILE/t/a.txt", &dir.path().join("a.txt"))
        .await
        .unwrap();

    // acd: a client from its cache, a refresh forced by an expired token, an upload, a listing.
    let emu = acd::emulator::Emulator::start_with(
        acd::emulator::EmulatorConfig::default().token_lifetime(std::time::Duration::from_secs(60)),
    )
    .await
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let issued = emu.write_cache(cache.path()).unwrap();
    secrets.push(issued.access_token.expose().to_owned());
    secrets.push(issued.refresh_token.expose().to_owned());
    let c = acd::AcdClient::new(
        cache.path(),
        cache.path(),
        acd::AcdOptions::default()
            .base_url(&emu.base_url())
            .pacing(acd::Pacing::Off),
    )
    .await
    .unwrap();
    let src = cache.path().join("up.txt");
    std::fs::write(&src, b"hello").unwrap();
    c.upload_file(&src, None, acd::UploadOptions::default())
        .await
        .unwrap();
    let kids: Vec<acd::Node> = c
        .list_children_stream(&emu.root_id())
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert!(!kids.is_empty());
    // The token was refreshed (its lifetime is inside acd_cli's 2-minute margin): the new
    // tokens are in the cache file, which must be the owner's alone.
    let oauth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cache.path().join("oauth_data")).unwrap())
            .unwrap();
    for k in ["access_token", "refresh_token"] {
        secrets.push(oauth[k].as_str().unwrap().to_owned());
    }
    assert_ne!(oauth["access_token"], issued.access_token.expose());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(cache.path().join("oauth_data"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "oauth_data mode {mode:o}");
    }

    // smartfile: Basic auth, an upload, a listing, a download.
    let emu = smartfile::emulator::Emulator::start().await.unwrap();
    secrets.push(emu.password().to_owned());
    secrets.push(emu.access_token().1.to_owned());
    let api = smartfile::BasicClient::new(
        Some(emu.key()),
        Some(emu.password()),
        smartfile::BasicOptions::default().url(emu.base_url()),
    )
    .unwrap();
    api.upload("s.txt", b"hello".to_vec()).await.unwrap();
    let kids: Vec<_> = api
        .children_stream("/", 10)
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert!(!kids.is_empty());
    let d = tempfile::tempdir().unwrap();
    api.download(
        "/s.txt",
        smartfile::DownloadOptions::default().directory(d.path()),
    )
    .await
    .unwrap();

    // kloudless: an upload, a paged listing, a download.
    let emu = kloudless::emulator::Emulator::start().await.unwrap();
    secrets.push(emu.token().to_owned());
    secrets.push(emu.api_key().to_owned());
    let a = kloudless::Account::with_config(
        Some(emu.token()),
        None,
        None,
        &kloudless::Configuration::with_base_url(emu.base_url()),
    )
    .unwrap();
    let up = a
        .post(
            "storage/files",
            kloudless::RequestOptions::default()
                .header(
                    "X-Kloudless-Metadata",
                    serde_json::json!({"parent_id": "root", "name": "k.txt"}).to_string(),
                )
                .data(b"hello".to_vec()),
        )
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    let root = a
        .get(
            "storage/folders/root/contents",
            kloudless::RequestOptions::default(),
        )
        .await
        .unwrap()
        .into_list()
        .unwrap();
    let items: Vec<_> = root.get_paging_iterator(None).try_collect().await.unwrap();
    assert!(!items.is_empty());
    up.get("contents", kloudless::RequestOptions::default())
        .await
        .unwrap()
        .into_raw()
        .unwrap()
        .bytes()
        .await
        .unwrap();

    // orange-cloud: a refresh-token start, an upload, a listing, a download.
    let emu = orange_cloud::emulator::Emulator::start().await.unwrap();
    secrets.push(emu.client_secret().expose().to_owned());
    let issued = emu.issue_token();
    secrets.push(issued.refresh_token.expose().to_owned());
    let m = orange_cloud::ApiManager::new(
        emu.client_id(),
        emu.client_secret(),
        emu.redirect_uri(),
        orange_cloud::ApiManagerOptions::default().base_url(&emu.base_url()),
    )
    .unwrap();
    m.init_with_token(issued.refresh_token.expose())
        .await
        .unwrap();
    let f = m
        .files()
        .upload_with(
            b"hello".to_vec(),
            None,
            orange_cloud::UploadOptions::default().name("o.txt"),
        )
        .await
        .unwrap();
    let got = m.files().get(&f.file_id).await.unwrap();
    let mut body = Vec::new();
    m.files()
        .download_to(got.download_url.as_deref().unwrap(), &mut body)
        .await
        .unwrap();
    assert_eq!(body, b"hello");

    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    // Something was traced (else this test could not fail), and no secret was.
    assert!(
        text.lines().count() > 50,
        "only {} lines traced",
        text.lines().count()
    );
    assert!(
        text.contains("url="),
        "the crates' request spans were not traced"
    );
    for s in &secrets {
        assert!(s.len() >= 8, "too short to be a meaningful check: {s:?}");
        if let Some(line) = text.lines().find(|l| l.contains(s.as_str())) {
            panic!("a secret in the TRACE output: {line}");
        }
    }
}
