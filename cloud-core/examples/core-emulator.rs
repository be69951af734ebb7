//! The harness's demo file service, standalone: prints one JSON line with `base_url` and the
//! credentials, then serves until killed.
//!
//! `cargo run -p cloud-core --features emulator --example core-emulator -- --addr 127.0.0.1:8700`
use cloud_core::emulator::{demo::Demo, standalone};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = standalone::addr_from_args()?;
    let demo = Demo::start_on(addr).await?;
    standalone::announce(&demo.info())?;
    standalone::wait_until_killed().await;
    Ok(())
}
