//! Amazon Cloud Drive as an `object_store::ObjectStore`: a CSV and a Parquet file written through
//! `AcdStore` and read back, the Parquet one with the `parquet` crate's async reader
//! (`ParquetObjectReader`), as DataFusion or any Arrow tool reads object stores.
//!
//! `cargo run -p acd --features emulator,object-store --example acd-store`
//!
//! With `ACD_CACHE_PATH` set (a folder holding acd_cli's `oauth_data`; the service has
//! closed, so only a compatible deployment answers), it runs against that drive instead.
use std::sync::Arc;

use acd::store::AcdStore;
use acd::{AcdClient, AcdOptions};
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use futures::TryStreamExt;
use object_store::{path::Path, ObjectStore, ObjectStoreExt};
use parquet::arrow::async_reader::{ParquetObjectReader, ParquetRecordBatchStreamBuilder};
use parquet::arrow::async_writer::{AsyncArrowWriter, ParquetObjectWriter};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _emulator;
    let scratch = tempfile::tempdir()?;
    let client = match std::env::var("ACD_CACHE_PATH") {
        Ok(cache) => AcdClient::new(&cache, &cache, AcdOptions::default()).await?,
        Err(_) => {
            let emu = acd::emulator::Emulator::start().await?;
            emu.write_cache(scratch.path())?;
            let options = AcdOptions::default().base_url(&emu.base_url());
            let client = AcdClient::new(scratch.path(), scratch.path(), options).await?;
            _emulator = emu;
            client
        }
    };
    let store: Arc<dyn ObjectStore> = Arc::new(AcdStore::new(client));
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
