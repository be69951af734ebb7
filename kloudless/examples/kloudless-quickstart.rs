//! The Kloudless quickstart, after the SDK's README: storage (list the root, download the
//! first file, upload), calendar (the primary calendar, events page by page, create an
//! event), events by cursor, and the raw pass-through; against the embedded emulator.
//!
//! `cargo run -p kloudless --features emulator --example kloudless-quickstart`
//!
//! With `KLOUDLESS_TOKEN` set (and optionally `KLOUDLESS_BASE_URL`), it uses that account.
use futures::TryStreamExt;
use kloudless::{Account, Configuration, RequestOptions};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _emulator;
    let (token, config) = match std::env::var("KLOUDLESS_TOKEN") {
        Ok(t) => {
            let mut c = Configuration::default();
            if let Ok(b) = std::env::var("KLOUDLESS_BASE_URL") {
                c.base_url = b;
            }
            (t, c)
        }
        Err(_) => {
            let emu = kloudless::emulator::Emulator::start().await?;
            println!("emulator at {}", emu.base_url());
            let t = emu.token().to_owned();
            let c = Configuration::with_base_url(emu.base_url());
            _emulator = emu;
            (t, c)
        }
    };
    let account = Account::with_config(Some(&token), None, None, &config)?;
    let me = account
        .get("", RequestOptions::default())
        .await?
        .into_resource()?;
    println!("1. account {} ({})", me.data["account"], me.data["service"]);

    // Storage: upload, list the root, download the first file.
    account
        .post(
            "storage/files",
            RequestOptions::default()
                .header(
                    "X-Kloudless-Metadata",
                    json!({"parent_id": "root", "name": "hello.txt"}).to_string(),
                )
                .data(b"Hello from Rust".to_vec()),
        )
        .await?;
    let root = account
        .get("storage/folders/root/contents", RequestOptions::default())
        .await?
        .into_list()?;
    let items: Vec<_> = root.get_paging_iterator(None).try_collect().await?;
    for item in &items {
        println!("2. root: {} ({})", item.data["name"], item.data["type"]);
    }
    if let Some(first) = items.iter().find(|i| i.data["type"] == "file") {
        let body = first
            .get("contents", RequestOptions::default())
            .await?
            .into_raw()?
            .bytes()
            .await?;
        println!(
            "3. downloaded {} bytes: {:?}",
            body.len(),
            String::from_utf8_lossy(&body)
        );
    }

    // Calendar: the primary calendar, an event created, events page by page.
    let cal = account
        .get("cal/calendars/primary", RequestOptions::default())
        .await?
        .into_resource()?;
    let ev = cal
        .post("events", RequestOptions::default().json(json!({"start": "2019-01-01T12:30:00Z", "end": "2019-01-01T13:30:00Z", "name": "Event test"})))
        .await?
        .into_resource()?;
    println!("4. created event {} at {}", ev.data["id"], ev.url());
    let events = cal
        .get("events", RequestOptions::default().param("page_size", 5))
        .await?
        .into_list()?;
    let mut it = events.get_paging_iterator(None);
    while let Some(e) = it.try_next().await? {
        println!("5. calendar event: {}", e.data["name"]);
    }

    // Events by cursor, to the latest cursor.
    let list = account
        .get("events", RequestOptions::default().param("cursor", 0))
        .await?
        .into_list()?;
    let mut it = list.get_paging_iterator(None);
    let mut n = 0;
    while it.try_next().await?.is_some() {
        n += 1;
    }
    println!(
        "6. {n} events; keep cursor {:?} for next time",
        it.latest_cursor()
    );

    // Raw pass-through to the upstream service.
    let raw = account
        .raw("GET", "/drive/v2/about", RequestOptions::default())
        .await?
        .into_raw()?;
    println!("7. raw pass-through answered {}", raw.status);
    Ok(())
}
