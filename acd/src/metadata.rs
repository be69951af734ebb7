//! `MetadataMixin`: listings (as streams and as lists), node operations, hard links, the
//! owner id and properties.

use futures::{Stream, TryStreamExt};
use http::Method;
use serde::Serialize;
use serde_json::Value;
use url::Url;

use cloud_core::paging::{pages, Page};

use crate::account::json;
use crate::client::{AcdClient, OK_CODES};
use crate::error::{Error, Result};
use crate::models::{Node, NodeList};
use crate::pyjson;

#[derive(Serialize)]
struct MoveFrom<'a> {
    #[serde(rename = "fromParent")]
    from_parent: &'a str,
    #[serde(rename = "childId")]
    child_id: &'a str,
}

impl AcdClient {
    /// `paginated_get` as a stream of pages: follows `nextToken` as `startToken` until it is
    /// absent; a failed page ends the stream with its `RequestError` (pages already yielded
    /// stay yours: nothing before it is lost, unlike the original).
    pub fn paginated_stream(
        &self,
        url: Url,
        params: Vec<(String, String)>,
    ) -> impl Stream<Item = Result<Node>> + Send + 'static {
        let client = self.clone();
        let pages = pages(None::<String>, move |token| {
            let (client, url, mut params) = (client.clone(), url.clone(), params.clone());
            async move {
                if let Some(t) = token {
                    params.push(("startToken".into(), t));
                }
                let resp = client
                    .request(Method::GET, url, OK_CODES, |r| Ok(r.query(&params)))
                    .await
                    .inspect_err(|_| tracing::error!("Error getting node list."))?;
                let list: NodeList = json(resp).await?;
                let next = list.next_token.map(Some);
                Ok::<_, Error>(Page::new(
                    list.data.into_iter().map(Ok).collect::<Vec<_>>(),
                    next,
                ))
            }
        });
        pages
            .map_ok(|p| futures::stream::iter(p.items))
            .try_flatten()
    }

    /// `paginated_get`: every page collected.
    pub async fn paginated_get(
        &self,
        url: Url,
        params: Vec<(String, String)>,
    ) -> Result<Vec<Node>> {
        self.paginated_stream(url, params).try_collect().await
    }

    fn filters(&self, filters: &str) -> Result<(Url, Vec<(String, String)>)> {
        Ok((
            self.meta("nodes")?,
            vec![("filters".into(), filters.into())],
        ))
    }

    /// `get_node_list(**params)`: every node matching the query parameters.
    pub async fn get_node_list(&self, params: &[(&str, &str)]) -> Result<Vec<Node>> {
        let p = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.paginated_get(self.meta("nodes")?, p).await
    }

    /// Every file (`filters=kind:FILE`).
    pub async fn get_file_list(&self) -> Result<Vec<Node>> {
        let (u, p) = self.filters("kind:FILE")?;
        self.paginated_get(u, p).await
    }

    /// Every folder (`filters=kind:FOLDER`).
    pub async fn get_folder_list(&self) -> Result<Vec<Node>> {
        let (u, p) = self.filters("kind:FOLDER")?;
        self.paginated_get(u, p).await
    }

    /// Every asset (`filters=kind:ASSET`).
    pub async fn get_asset_list(&self) -> Result<Vec<Node>> {
        let (u, p) = self.filters("kind:ASSET")?;
        self.paginated_get(u, p).await
    }

    /// Trashed folders (`filters=status:TRASH AND kind:FOLDER`).
    pub async fn get_trashed_folders(&self) -> Result<Vec<Node>> {
        let (u, p) = self.filters("status:TRASH AND kind:FOLDER")?;
        self.paginated_get(u, p).await
    }

    /// Trashed files (`filters=status:TRASH AND kind:FILE`).
    pub async fn get_trashed_files(&self) -> Result<Vec<Node>> {
        let (u, p) = self.filters("status:TRASH AND kind:FILE")?;
        self.paginated_get(u, p).await
    }

    /// The children of a folder (trashed ones included, as the service lists them).
    pub async fn list_children(&self, node_id: &str) -> Result<Vec<Node>> {
        self.paginated_get(self.meta(&format!("nodes/{node_id}/children"))?, Vec::new())
            .await
    }

    /// The children of a folder, page after page, as a stream.
    pub fn list_children_stream(
        &self,
        node_id: &str,
    ) -> Result<impl Stream<Item = Result<Node>> + Send + 'static> {
        Ok(self.paginated_stream(self.meta(&format!("nodes/{node_id}/children"))?, Vec::new()))
    }

    /// The root folder (`filters=isRoot:true`, one request).
    pub async fn get_root_node(&self) -> Result<Node> {
        let (u, p) = self.filters("isRoot:true")?;
        let resp = self
            .request(Method::GET, u, OK_CODES, |r| Ok(r.query(&p)))
            .await?;
        let list: NodeList = json(resp).await?;
        list.data
            .into_iter()
            .next()
            .ok_or_else(|| Error::Decode("no root node in the answer".into()))
    }

    /// The root folder's id.
    pub async fn get_root_id(&self) -> Result<String> {
        Ok(self.get_root_node().await?.id)
    }

    /// `GET {metadata}nodes/<id>?tempLink=<true|false>&asset=<ALL|NONE>`.
    pub async fn get_metadata(&self, node_id: &str, assets: bool, temp_link: bool) -> Result<Node> {
        let q = [
            ("tempLink", if temp_link { "true" } else { "false" }),
            ("asset", if assets { "ALL" } else { "NONE" }),
        ];
        let resp = self
            .request(
                Method::GET,
                self.meta(&format!("nodes/{node_id}"))?,
                OK_CODES,
                |r| Ok(r.query(&q)),
            )
            .await?;
        json(resp).await
    }

    /// `PATCH {metadata}nodes/<id>` with the given properties (the server bumps `version`).
    pub async fn update_metadata(&self, node_id: &str, properties: &Value) -> Result<Node> {
        let body = pyjson::dumps(properties);
        let resp = self
            .request(
                Method::PATCH,
                self.meta(&format!("nodes/{node_id}"))?,
                OK_CODES,
                |r| Ok(r.body(body.clone())),
            )
            .await?;
        json(resp).await
    }

    /// Renames a node (`{"name": …}`).
    pub async fn rename_node(&self, node_id: &str, new_name: &str) -> Result<Node> {
        self.update_metadata(node_id, &serde_json::json!({ "name": new_name }))
            .await
    }

    /// Moves a node (`{"parents": [parent_id]}`): replaces **every** parent (hard links are
    /// dropped); [`AcdClient::move_node_from`] replaces one.
    pub async fn move_node(&self, node_id: &str, parent_id: &str) -> Result<Node> {
        self.update_metadata(node_id, &serde_json::json!({ "parents": [parent_id] }))
            .await
    }

    /// Makes a PENDING node AVAILABLE.
    pub async fn set_available(&self, node_id: &str) -> Result<Node> {
        self.update_metadata(node_id, &serde_json::json!({ "status": "AVAILABLE" }))
            .await
    }

    /// Adds a parent (a hard link): `PUT {metadata}nodes/<parent>/children/<child>`.
    pub async fn add_child(&self, parent_id: &str, child_id: &str) -> Result<Node> {
        let url = self.meta(&format!("nodes/{parent_id}/children/{child_id}"))?;
        let resp = self
            .request(Method::PUT, url, OK_CODES, |r| {
                Ok(r.header(http::header::CONTENT_LENGTH, 0))
            })
            .await?;
        json(resp).await
    }

    /// Removes a parent: `DELETE {metadata}nodes/<parent>/children/<child>`.
    pub async fn remove_child(&self, parent_id: &str, child_id: &str) -> Result<Node> {
        let url = self.meta(&format!("nodes/{parent_id}/children/{child_id}"))?;
        let resp = self.request(Method::DELETE, url, OK_CODES, Ok).await?;
        json(resp).await
    }

    /// Replaces one parent: `POST {metadata}nodes/<new>/children` `{"fromParent", "childId"}`.
    pub async fn move_node_from(
        &self,
        node_id: &str,
        old_parent_id: &str,
        new_parent_id: &str,
    ) -> Result<Node> {
        let url = self.meta(&format!("nodes/{new_parent_id}/children"))?;
        let body = pyjson::dumps(&MoveFrom {
            from_parent: old_parent_id,
            child_id: node_id,
        });
        let resp = self
            .request(Method::POST, url, OK_CODES, |r| Ok(r.body(body.clone())))
            .await?;
        json(resp).await
    }

    /// The application's owner id (`createdBy`). As in the original, it creates the file
    /// `acd_cli_get_owner_id` in the root and trashes it; this crate then caches the answer,
    /// so the probe runs once per client (acd_cli issue #539).
    pub async fn get_owner_id(&self) -> Result<String> {
        if let Some(id) = self.inner_owner_id() {
            return Ok(id);
        }
        let node = self.create_file("acd_cli_get_owner_id", None).await?;
        self.move_to_trash(&node.id).await?;
        let id = node
            .created_by
            .ok_or_else(|| Error::Decode("the probe node has no createdBy".into()))?;
        self.set_owner_id(&id);
        Ok(id)
    }

    /// `GET {metadata}nodes/<id>/properties/<owner>`: the key/value map.
    pub async fn list_properties(
        &self,
        node_id: &str,
        owner_id: &str,
    ) -> Result<serde_json::Map<String, Value>> {
        let url = self.meta(&format!("nodes/{node_id}/properties/{owner_id}"))?;
        let resp = self.request(Method::GET, url, OK_CODES, Ok).await?;
        let v: Value = json(resp).await?;
        Ok(v.get("data")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default())
    }

    /// `PUT {metadata}nodes/<id>/properties/<owner>/<key>` `{"value": …}` (201).
    pub async fn add_property(
        &self,
        node_id: &str,
        owner_id: &str,
        key: &str,
        value: &str,
    ) -> Result<Value> {
        let url = self.meta(&format!("nodes/{node_id}/properties/{owner_id}/{key}"))?;
        let body = pyjson::dumps(&serde_json::json!({ "value": value }));
        let resp = self
            .request(Method::PUT, url, &[201], |r| Ok(r.body(body.clone())))
            .await?;
        json(resp).await
    }

    /// `DELETE {metadata}nodes/<id>/properties/<owner>/<key>` (204).
    pub async fn delete_property(&self, node_id: &str, owner_id: &str, key: &str) -> Result<()> {
        let url = self.meta(&format!("nodes/{node_id}/properties/{owner_id}/{key}"))?;
        self.request(Method::DELETE, url, &[204], Ok).await?;
        Ok(())
    }

    /// Deletes every property of an owner: one DELETE per key. The original built these URLs
    /// with a double slash (`…/v1//nodes/…`); this crate sends the proper path.
    pub async fn delete_properties(&self, node_id: &str, owner_id: &str) -> Result<()> {
        for key in self.list_properties(node_id, owner_id).await?.keys() {
            self.delete_property(node_id, owner_id, key).await?;
        }
        Ok(())
    }
}
