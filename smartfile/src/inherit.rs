//! The calls `BasicClient` and `OAuthClient` inherit from `Client` in the original, written
//! on each type (the Rust API guidelines keep `Deref` for smart pointers): each forwards to the
//! client inside, so the docs list every call on the type a user holds.

use std::path::PathBuf;
use std::time::Duration;

use futures::Stream;
use http::Method;
use url::Url;

use cloud_core::body::Download;

use crate::client::{BasicClient, Client, Id, OAuthClient, Response};
use crate::error::Result;
use crate::helpers::{DownloadOptions, TaskResult};
use crate::params::{FilePart, FileSource, Params};

macro_rules! client_calls {
    ($ty:ident) => {
        impl AsRef<Client> for $ty {
            fn as_ref(&self) -> &Client {
                self.as_client()
            }
        }

        impl $ty {
            /// The [`Client`] this one is built on (with its authentication).
            pub fn as_client(&self) -> &Client {
                &self.client
            }

            /// [`Client::url`].
            pub fn url(&self) -> &str {
                self.client.url()
            }

            /// [`Client::version`].
            pub fn version(&self) -> &str {
                self.client.version()
            }

            /// [`Client::build_url`].
            pub fn build_url(&self, endpoint: &str, id: &Id) -> Result<Url> {
                self.client.build_url(endpoint, id)
            }

            /// [`Client::request`].
            pub async fn request(
                &self,
                method: Method,
                endpoint: &str,
                id: impl Into<Id>,
                params: Params,
            ) -> Result<Response> {
                self.client.request(method, endpoint, id, params).await
            }

            /// [`Client::get`].
            pub async fn get(
                &self,
                endpoint: &str,
                id: impl Into<Id>,
                params: Params,
            ) -> Result<Response> {
                self.client.get(endpoint, id, params).await
            }

            /// [`Client::call`].
            pub async fn call(
                &self,
                endpoint: &str,
                id: impl Into<Id>,
                params: Params,
            ) -> Result<Response> {
                self.client.call(endpoint, id, params).await
            }

            /// [`Client::post`].
            pub async fn post(
                &self,
                endpoint: &str,
                id: impl Into<Id>,
                params: Params,
            ) -> Result<Response> {
                self.client.post(endpoint, id, params).await
            }

            /// [`Client::put`].
            pub async fn put(
                &self,
                endpoint: &str,
                id: impl Into<Id>,
                params: Params,
            ) -> Result<Response> {
                self.client.put(endpoint, id, params).await
            }

            /// [`Client::delete`].
            pub async fn delete(
                &self,
                endpoint: &str,
                id: impl Into<Id>,
                params: Params,
            ) -> Result<Response> {
                self.client.delete(endpoint, id, params).await
            }

            /// [`Client::upload`].
            pub async fn upload(
                &self,
                filename: &str,
                source: impl Into<FileSource>,
            ) -> Result<Response> {
                self.client.upload(filename, source).await
            }

            /// [`Client::upload_part`].
            pub async fn upload_part(&self, part: FilePart) -> Result<Response> {
                self.client.upload_part(part).await
            }

            /// [`Client::upload_into`].
            pub async fn upload_into(&self, folder: &str, part: FilePart) -> Result<Response> {
                self.client.upload_into(folder, part).await
            }

            /// [`Client::download_stream`].
            pub async fn download_stream(&self, file_to_be_downloaded: &str) -> Result<Download> {
                self.client.download_stream(file_to_be_downloaded).await
            }

            /// [`Client::download`].
            pub async fn download(
                &self,
                file_to_be_downloaded: &str,
                options: DownloadOptions,
            ) -> Result<PathBuf> {
                self.client.download(file_to_be_downloaded, options).await
            }

            /// [`Client::children_stream`].
            pub fn children_stream(
                &self,
                path: &str,
                limit: u32,
            ) -> Result<impl Stream<Item = Result<serde_json::Value>> + Send + 'static> {
                self.client.children_stream(path, limit)
            }

            /// [`Client::children`].
            pub fn children(
                &self,
                path: &str,
                limit: u32,
            ) -> Result<impl Stream<Item = Result<crate::models::PathInfo>> + Send + 'static> {
                self.client.children(path, limit)
            }

            /// [`Client::get_as`].
            pub async fn get_as<T: serde::de::DeserializeOwned>(
                &self,
                endpoint: &str,
                id: impl Into<Id>,
                params: Params,
            ) -> Result<T> {
                self.client.get_as(endpoint, id, params).await
            }

            /// `Client::move` (`r#move`).
            pub async fn r#move(&self, src_path: &str, dst_path: &str) -> Result<Response> {
                self.client.r#move(src_path, dst_path).await
            }

            /// [`Client::remove`].
            pub async fn remove(&self, deletefile: &str) -> Result<Response> {
                self.client.remove(deletefile).await
            }

            /// [`Client::wait_task`].
            pub async fn wait_task(
                &self,
                uuid: &str,
                interval: Duration,
                timeout: Duration,
            ) -> Result<TaskResult> {
                self.client.wait_task(uuid, interval, timeout).await
            }
        }
    };
}

client_calls!(BasicClient);
client_calls!(OAuthClient);
