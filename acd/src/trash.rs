//! `TrashMixin`: list, trash, restore, purge.

use futures::Stream;
use http::Method;

use crate::account::json;
use crate::client::{AcdClient, OK_CODES};
use crate::error::Result;
use crate::models::Node;

impl AcdClient {
    /// The trashed nodes at the top of the trash (`GET {metadata}trash`, all pages).
    pub async fn list_trash(&self) -> Result<Vec<Node>> {
        self.paginated_get(self.meta("trash")?, Vec::new()).await
    }

    /// The trash, page after page, as a stream.
    pub fn list_trash_stream(&self) -> Result<impl Stream<Item = Result<Node>> + Send + 'static> {
        Ok(self.paginated_stream(self.meta("trash")?, Vec::new()))
    }

    /// `PUT {metadata}trash/<id>`: the node, now TRASH.
    pub async fn move_to_trash(&self, node_id: &str) -> Result<Node> {
        let url = self.meta(&format!("trash/{node_id}"))?;
        let resp = self
            .request(Method::PUT, url, OK_CODES, |r| {
                Ok(r.header(http::header::CONTENT_LENGTH, 0))
            })
            .await?;
        json(resp).await
    }

    /// `POST {metadata}trash/<id>/restore`: the node, AVAILABLE again.
    pub async fn restore(&self, node_id: &str) -> Result<Node> {
        let url = self.meta(&format!("trash/{node_id}/restore"))?;
        let resp = self
            .request(Method::POST, url, OK_CODES, |r| {
                Ok(r.header(http::header::CONTENT_LENGTH, 0))
            })
            .await?;
        json(resp).await
    }

    /// `DELETE {metadata}nodes/<id>`: the service refuses it to applications (403).
    pub async fn purge(&self, node_id: &str) -> Result<Node> {
        let url = self.meta(&format!("nodes/{node_id}"))?;
        let resp = self.request(Method::DELETE, url, OK_CODES, Ok).await?;
        json(resp).await
    }
}
