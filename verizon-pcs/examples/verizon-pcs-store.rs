//! Verizon Cloud as an `object_store::ObjectStore`: a CSV and a Parquet file written through
//! `VerizonStore` and read back, the Parquet one with the `parquet` crate's async reader
//! (`ParquetObjectReader`), as DataFusion or any Arrow tool reads object stores.
//!
//! `cargo run -p verizon-pcs --features emulator,object-store --example verizon-pcs-store`
//!
//! With `VERIZON_CLIENT_KEY`, `VERIZON_CLIENT_SECRET`, `VERIZON_CALLBACK_URL` and
//! `VERIZON_ACCESS_TOKEN` set, it runs against that account instead, under
//! `/VZMOBILE/object-store-demo`.
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use futures::TryStreamExt;
use object_store::{path::Path, ObjectStore, ObjectStoreExt};
use parquet::arrow::async_reader::{ParquetObjectReader, ParquetRecordBatchStreamBuilder};
use parquet::arrow::async_writer::{AsyncArrowWriter, ParquetObjectWriter};
use verizon_pcs::store::VerizonStore;
use verizon_pcs::{Cloud, CloudOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _emulator;
    let cloud = match std::env::var("VERIZON_ACCESS_TOKEN") {
        Ok(token) => Cloud::new(
            &std::env::var("VERIZON_CLIENT_KEY")?,
            std::env::var("VERIZON_CLIENT_SECRET")?,
            &std::env::var("VERIZON_CALLBACK_URL")?,
            CloudOptions::default().access_token(token),
        )?,
        Err(_) => {
            let emu = verizon_pcs::emulator::Emulator::start().await?;
            let t = emu.issue_token();
            let cloud = Cloud::new(
                emu.client_key(),
                emu.client_secret(),
                emu.callback_url(),
                CloudOptions::default()
                    .base_url(emu.api_cloud())
                    .access_token(t.access_token)
                    .refresh_token(t.refresh_token),
            )?;
            _emulator = emu;
            cloud
        }
    };
    let store: Arc<dyn ObjectStore> = Arc::new(VerizonStore::new(cloud, "/VZMOBILE")?);
    println!("store: {store}");

    // A CSV, put whole (the folders object-store-demo/sales are created on the way).
    let csv = Path::from("object-store-demo/sales/q4.csv");
    store
        .put(&csv, "region,total\nnorth,12\nsouth,30\n".into())
        .await?;
    let text = store.get(&csv).await?.bytes().await?;
    println!(
        "1. {csv}: {} bytes, first line {:?}",
        text.len(),
        text.split(|b| *b == b'\n')
            .next()
            .map(String::from_utf8_lossy)
    );

    // A Parquet file, written through the store (a multipart upload) by parquet's writer.
    let batch = RecordBatch::try_from_iter([
        (
            "region",
            Arc::new(StringArray::from(vec!["north", "south"])) as ArrayRef,
        ),
        (
            "total",
            Arc::new(Int64Array::from(vec![12, 30])) as ArrayRef,
        ),
    ])?;
    let parquet_path = Path::from("object-store-demo/sales/q4.parquet");
    let sink = ParquetObjectWriter::new(store.clone(), parquet_path.clone());
    let mut writer = AsyncArrowWriter::try_new(sink, batch.schema(), None)?;
    writer.write(&batch).await?;
    writer.close().await?;

    // Read back with ranged reads (the footer first, then the column chunks).
    let size = store.head(&parquet_path).await?.size;
    let reader = ParquetObjectReader::new(store.clone(), parquet_path.clone()).with_file_size(size);
    let batches: Vec<RecordBatch> = ParquetRecordBatchStreamBuilder::new(reader)
        .await?
        .build()?
        .try_collect()
        .await?;
    assert_eq!(
        batches,
        vec![batch],
        "the Parquet file reads back as written"
    );
    println!(
        "2. {parquet_path}: {size} bytes, {} rows read back",
        batches[0].num_rows()
    );

    // A listing with a delimiter: the files of the folder.
    let listed = store
        .list_with_delimiter(Some(&Path::from("object-store-demo/sales")))
        .await?;
    for o in &listed.objects {
        println!(
            "3. listed {} ({} bytes, etag {:?})",
            o.location, o.size, o.e_tag
        );
    }
    Ok(())
}
