//! `kloudless.resources`: `Response`, `ResponseJson`, `Resource`, `ResourceList`, by the
//! original's wrapping, URL and paging rules.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{Stream, StreamExt};
use http::{HeaderMap, Method, StatusCode};
use serde_json::{Map, Value};

use cloud_core::body::Download;
use cloud_core::transport::read_body;

use crate::client::{is_no_content, Body, Client, RequestOptions, Sent};
use crate::error::{Error, Result};
use crate::util::{
    full_account_prefix, is_events_url, is_primary_calendar_url, strip_query, url_join,
};

/// What every wrapper keeps: its client, URL (query stripped), query parameters and the
/// request that produced it.
#[derive(Clone)]
pub struct Meta {
    client: Client,
    /// The URL without its query.
    pub url: String,
    /// The query parameters, in order.
    pub query_params: Vec<(String, String)>,
    sent: Option<Sent>,
    /// The answer's status (`None` for a resource built from a list's `objects`, which had no
    /// answer of its own: the original raises `AttributeError` there).
    status: Option<StatusCode>,
    headers: HeaderMap,
}

impl fmt::Debug for Meta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Meta")
            .field("url", &self.url)
            .field("query_params", &self.query_params)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Meta {
    fn new(client: Client, url: &str, sent: Option<Sent>) -> Self {
        let query_params = url::Url::parse(url)
            .map(|u| u.query_pairs().into_owned().collect())
            .unwrap_or_default();
        Self {
            client,
            url: strip_query(url).to_owned(),
            query_params,
            sent,
            status: None,
            headers: HeaderMap::new(),
        }
    }

    fn answered(mut self, status: StatusCode, headers: HeaderMap) -> Self {
        self.status = Some(status);
        self.headers = headers;
        self
    }

    /// The answer's status (`response.status_code`), `None` for a resource built from a
    /// list's `objects`.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// The answer's headers (`response.headers`); empty for a resource built from a list.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A verb on `url_join(self.url, path)` through the client (`Response.get/post/...`).
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        options: RequestOptions,
    ) -> Result<Response> {
        self.client
            .request(method, &url_join(&self.url, path), options)
            .await
    }
}

/// The original's `Response` base class on every wrapper (`Resource`, `ResourceList`,
/// `ResponseJson`, `RawResponse`): its URL and `request` relative to it, which the five verbs
/// (`verbs!`) use.
macro_rules! response_verbs {
    ($t:ty) => {
        impl $t {
            /// The URL calls are relative to (`response.url`).
            pub fn url(&self) -> &str {
                &self.meta.url
            }

            /// A verb on `url_join(self.url, path)` through the client.
            pub async fn request(
                &self,
                method: Method,
                path: &str,
                options: RequestOptions,
            ) -> Result<Response> {
                self.meta.request(method, path, options).await
            }
        }
    };
}

response_verbs!(Resource);
response_verbs!(ResourceList);
response_verbs!(ResponseJson);
response_verbs!(RawResponse);
verbs!(Resource);
verbs!(ResourceList);
verbs!(ResponseJson);
verbs!(RawResponse);

/// A raw answer (`Response` with no JSON, or `get_raw_response=True`): status, headers and
/// the body as a stream.
pub struct RawResponse {
    /// The wrapper data.
    pub meta: Meta,
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Download,
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("url", &self.meta.url)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl RawResponse {
    /// Reads the body whole (small bodies only).
    pub async fn bytes(self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut body = self.body;
        while let Some(c) = body.next().await {
            out.extend_from_slice(&c?);
        }
        Ok(out)
    }
}

/// `ResponseJson`: JSON that is neither a resource nor a list.
#[derive(Debug, Clone)]
pub struct ResponseJson {
    /// The wrapper data.
    pub meta: Meta,
    /// The JSON object.
    pub data: Map<String, Value>,
}

/// `Resource`: an object with an `id` or `href`, addressable at its own URL.
#[derive(Debug, Clone)]
pub struct Resource {
    /// The wrapper data (its `url` computed by the original's rules).
    pub meta: Meta,
    /// The JSON object.
    pub data: Map<String, Value>,
}

/// A field that may be absent (`empty`), `null`, or a value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Field {
    /// Absent from the JSON (the original's `empty`).
    Empty,
    /// JSON `null`.
    Null,
    /// A value.
    Value(Value),
}

impl Field {
    fn of(data: &Map<String, Value>, key: &str) -> Self {
        match data.get(key) {
            None => Field::Empty,
            Some(Value::Null) => Field::Null,
            Some(v) => Field::Value(v.clone()),
        }
    }
}

/// `ResourceList`: an `object_list`, paged by page numbers or (events) by cursor.
#[derive(Debug, Clone)]
pub struct ResourceList {
    /// The wrapper data.
    pub meta: Meta,
    /// The JSON object without its `objects` array: those are in
    /// [`ResourceList::objects`], each with its JSON in `data` (a page is held once).
    pub data: Map<String, Value>,
    /// This page's objects.
    pub objects: Vec<Resource>,
    /// Whether this is an events list (cursor paging).
    pub is_retrieving_events: bool,
}

/// What a request returns.
#[derive(Debug)]
#[non_exhaustive]
pub enum Response {
    /// A raw answer (no JSON, an empty body, or `get_raw_response`).
    Raw(RawResponse),
    /// JSON without `id`/`href` and not a list.
    Json(ResponseJson),
    /// A resource.
    Resource(Resource),
    /// A list.
    List(ResourceList),
}

impl Response {
    /// The JSON data of a JSON answer.
    pub fn data(&self) -> Option<&Map<String, Value>> {
        match self {
            Response::Json(j) => Some(&j.data),
            Response::Resource(r) => Some(&r.data),
            Response::List(l) => Some(&l.data),
            Response::Raw(_) => None,
        }
    }

    /// The resource, or an error naming what came instead.
    pub fn into_resource(self) -> Result<Resource> {
        match self {
            Response::Resource(r) => Ok(r),
            other => Err(Error::Decode(format!(
                "expected a resource, got {}",
                other.kind()
            ))),
        }
    }

    /// The list, or an error naming what came instead.
    pub fn into_list(self) -> Result<ResourceList> {
        match self {
            Response::List(l) => Ok(l),
            other => Err(Error::Decode(format!(
                "expected a resource list, got {}",
                other.kind()
            ))),
        }
    }

    /// The raw answer, or an error naming what came instead.
    pub fn into_raw(self) -> Result<RawResponse> {
        match self {
            Response::Raw(r) => Ok(r),
            other => Err(Error::Decode(format!(
                "expected a raw answer, got {}",
                other.kind()
            ))),
        }
    }

    fn meta_mut(&mut self) -> Option<&mut Meta> {
        match self {
            Response::Raw(r) => Some(&mut r.meta),
            Response::Json(j) => Some(&mut j.meta),
            Response::Resource(r) => Some(&mut r.meta),
            Response::List(l) => Some(&mut l.meta),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Response::Raw(_) => "a raw answer",
            Response::Json(_) => "JSON",
            Response::Resource(_) => "a resource",
            Response::List(_) => "a list",
        }
    }
}

/// `_create_response_object`.
pub(crate) async fn wrap(
    client: Client,
    sent: Sent,
    resp: cloud_core::reqwest::Response,
    raw: bool,
) -> Result<Response> {
    let url = sent.url.clone();
    let is_json = resp
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let (status, headers) = (resp.status(), resp.headers().clone());
    if raw || !is_json || is_no_content(resp.status(), resp.content_length()) {
        let len = resp.content_length();
        let stream = resp
            .bytes_stream()
            .map(|r| r.map_err(|e| cloud_core::error::from_reqwest(e, None)));
        return Ok(Response::Raw(RawResponse {
            meta: Meta::new(client, &url, Some(sent)).answered(status, headers.clone()),
            status,
            headers,
            body: Download::from_stream(Box::pin(stream), len),
        }));
    }
    // A JSON answer is decoded whole, into a tree several times its size: the family's limit
    // (`HttpOptions::max_json_bytes`, 64 MiB unless raised) bounds it; a page of 1,000
    // objects is under 1 MiB. A longer or broken body is an error.
    let limit = cloud_core::transport::json_limit(&resp);
    let body = read_body(&sent.method, resp, limit)
        .await
        .map_err(Error::Transport)?;
    if body.is_empty() {
        return Ok(Response::Raw(RawResponse {
            meta: Meta::new(client, &url, Some(sent)).answered(status, headers.clone()),
            status,
            headers,
            body: Download::from_stream(Box::pin(futures::stream::empty()), Some(0)),
        }));
    }
    let v: Value = cloud_core::transport::json_from_bytes(&body).map_err(|e| {
        tracing::error!(
            "Request to {} failed to decode json: {e}",
            strip_query(&url)
        );
        Error::Decode(e.to_string())
    })?;
    let Value::Object(data) = v else {
        return Err(Error::Decode("the JSON answer is not an object".into()));
    };
    let mut out = classify(client, &url, data, Some(sent));
    if let Some(meta) = out.meta_mut() {
        meta.status = Some(status);
        meta.headers = headers;
    }
    Ok(out)
}

pub(crate) fn classify(
    client: Client,
    url: &str,
    data: Map<String, Value>,
    sent: Option<Sent>,
) -> Response {
    let meta = Meta::new(client, url, sent);
    if data.get("type").and_then(Value::as_str) == Some("object_list") {
        return Response::List(ResourceList::new(meta, data));
    }
    if data.contains_key("id") || data.contains_key("href") {
        return Response::Resource(Resource::new(meta, data));
    }
    Response::Json(ResponseJson { meta, data })
}

fn id_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `_construct_url(data, url)`.
fn construct_url(data: &Map<String, Value>, url: &str) -> String {
    if let Some(href) = data
        .get("href")
        .and_then(Value::as_str)
        .filter(|h| !h.is_empty())
    {
        return href.to_owned();
    }
    if is_primary_calendar_url(url) {
        return url.to_owned();
    }
    let ty = data.get("type").and_then(Value::as_str).unwrap_or("");
    if data.get("api").and_then(Value::as_str) == Some("storage")
        && (ty == "file" || ty == "folder")
    {
        let id = data.get("id").map(id_string).unwrap_or_default();
        // The original crashes when the URL has no account prefix; here the URL stays.
        return match full_account_prefix(url) {
            Some(prefix) => format!("{prefix}/storage/{ty}s/{id}"),
            None => url.to_owned(),
        };
    }
    match data.get("id").map(id_string).filter(|i| !i.is_empty()) {
        Some(id) if !url.trim_end_matches('/').ends_with(&id) => url_join(url, &id),
        _ => url.to_owned(),
    }
}

impl Resource {
    fn new(mut meta: Meta, data: Map<String, Value>) -> Self {
        meta.url = construct_url(&data, &meta.url);
        Self { meta, data }
    }

    /// `refresh()`: the original GET again (full URL and headers) when there was one, else
    /// `GET self.url`; the object takes the new data (its query parameters are then empty,
    /// as in the original).
    pub async fn refresh(&mut self) -> Result<()> {
        *self = refreshed(&self.meta, |r| match r {
            Response::Resource(r) => Ok(r),
            Response::Json(j) => Ok(Resource {
                meta: j.meta,
                data: j.data,
            }),
            other => Err(other.kind()),
        })
        .await?;
        Ok(())
    }
}

/// A refresh's answer, as the kind `pick` accepts (another kind is a decode error naming the
/// kind `pick` returns).
async fn refreshed<T>(
    meta: &Meta,
    pick: impl FnOnce(Response) -> std::result::Result<T, &'static str>,
) -> Result<T> {
    pick(refresh_of(meta).await?).map_err(|kind| Error::Decode(format!("refresh returned {kind}")))
}

async fn refresh_of(meta: &Meta) -> Result<Response> {
    match &meta.sent {
        Some(s) if s.method == Method::GET => {
            meta.client
                .send(
                    Method::GET,
                    &s.url,
                    &[],
                    s.headers.clone(),
                    &Body::None,
                    false,
                )
                .await
        }
        _ => {
            meta.client
                .request(Method::GET, &meta.url, RequestOptions::default())
                .await
        }
    }
}

impl ResourceList {
    /// Each object moves out of `data` into its resource: a page is held once (the raw
    /// `objects` array is not kept beside the wrapped resources), and each resource's wrapper
    /// data is a copy of one made for the page, not parsed again per object.
    fn new(meta: Meta, mut data: Map<String, Value>) -> Self {
        let is_events = is_events_url(&meta.url);
        let template = Meta::new(meta.client.clone(), &meta.url, None);
        let objects = match data.remove("objects") {
            Some(Value::Array(a)) => a
                .into_iter()
                .filter_map(|o| match o {
                    Value::Object(m) => Some(Resource::new(template.clone(), m)),
                    _ => None,
                })
                .collect(),
            Some(other) => {
                // Not a list: left where it was, as the original leaves it.
                data.insert("objects".into(), other);
                Vec::new()
            }
            None => Vec::new(),
        };
        Self {
            meta,
            data,
            objects,
            is_retrieving_events: is_events,
        }
    }

    /// `api` (absent: [`Field::Empty`]).
    pub fn api(&self) -> Field {
        Field::of(&self.data, "api")
    }

    /// `page` (page lists).
    pub fn page(&self) -> Field {
        Field::of(&self.data, "page")
    }

    /// `next_page` (page lists).
    pub fn next_page(&self) -> Field {
        Field::of(&self.data, "next_page")
    }

    /// `cursor` (events lists).
    pub fn cursor(&self) -> Field {
        Field::of(&self.data, "cursor")
    }

    async fn fetch(&self, params: Vec<(String, String)>) -> Result<Response> {
        let headers = self.meta.sent.as_ref().map(|s| s.headers.clone());
        match headers {
            Some(h) => {
                self.meta
                    .client
                    .send(Method::GET, &self.meta.url, &params, h, &Body::None, false)
                    .await
            }
            None => {
                let o = RequestOptions {
                    params,
                    ..RequestOptions::default()
                };
                self.meta
                    .client
                    .request(Method::GET, &self.meta.url, o)
                    .await
            }
        }
    }

    /// `get_next_page()`: the next page by `next_page` (or `page + 1` when the server gave
    /// no `next_page`; a 404 then means the end), or by cursor for events. The end is
    /// [`Error::NoNextPage`] (with the cursor to keep, for events).
    pub async fn get_next_page(&self) -> Result<ResourceList> {
        self.next_page_after(!self.objects.is_empty()).await
    }

    /// `get_next_page()` for a page whose objects may have been moved out (`had_objects`:
    /// whether it held any when it arrived).
    async fn next_page_after(&self, had_objects: bool) -> Result<ResourceList> {
        if self.is_retrieving_events {
            let cursor = self.cursor();
            let no_next = || Error::NoNextPage {
                cursor: match &cursor {
                    Field::Value(v) => Some(v.clone()),
                    _ => None,
                },
            };
            let c = match &cursor {
                Field::Value(v) if id_string(v) != "-1" && had_objects => id_string(v),
                _ => return Err(no_next()),
            };
            let mut params: Vec<(String, String)> = self
                .meta
                .query_params
                .iter()
                .filter(|(k, _)| k != "cursor")
                .cloned()
                .collect();
            params.push(("cursor".into(), c));
            let next = self.fetch(params).await?.into_list()?;
            if next.objects.is_empty() {
                return Err(no_next());
            }
            return Ok(next);
        }
        let ident = match (self.next_page(), self.page()) {
            (Field::Value(v), _) => Some(id_string(&v)),
            (Field::Null, _) => None,
            (Field::Empty, Field::Value(Value::Number(n))) => {
                n.as_i64().map(|p| (p + 1).to_string())
            }
            _ => None,
        };
        let Some(ident) = ident else {
            return Err(Error::NoNextPage { cursor: None });
        };
        let mut params: Vec<(String, String)> = self
            .meta
            .query_params
            .iter()
            .filter(|(k, _)| k != "page")
            .cloned()
            .collect();
        params.push(("page".into(), ident));
        match self.fetch(params).await {
            Ok(r) => r.into_list(),
            Err(Error::NotFound(_)) => Err(Error::NoNextPage { cursor: None }),
            Err(e) => Err(e),
        }
    }

    /// `get_paging_iterator(max_resources=None)`: every object of this page and the next
    /// ones, as a stream; `max_resources` of 0 (or none) means no limit. Once the stream ends
    /// by running out of pages, [`PagingIterator::latest_cursor`] holds the events cursor.
    pub fn get_paging_iterator(&self, max_resources: Option<usize>) -> PagingIterator {
        PagingIterator::new(self.clone(), max_resources.filter(|m| *m > 0))
    }
}

type PageFuture = Pin<Box<dyn std::future::Future<Output = Result<ResourceList>> + Send>>;

/// The stream of [`ResourceList::get_paging_iterator`].
pub struct PagingIterator {
    current: Option<ResourceList>,
    /// The current page's objects, moved out of it as they are yielded (no copy).
    items: std::vec::IntoIter<Resource>,
    /// Whether the current page held any objects when it arrived.
    had_objects: bool,
    yielded: usize,
    max: Option<usize>,
    pending: Option<PageFuture>,
    done: bool,
    is_events: bool,
    latest_cursor: Option<Value>,
}

impl fmt::Debug for PagingIterator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PagingIterator")
            .field("yielded", &self.yielded)
            .field("latest_cursor", &self.latest_cursor)
            .finish_non_exhaustive()
    }
}

impl PagingIterator {
    fn new(mut first: ResourceList, max: Option<usize>) -> Self {
        let had_objects = !first.objects.is_empty();
        let items = std::mem::take(&mut first.objects).into_iter();
        let is_events = first.is_retrieving_events;
        Self {
            current: Some(first),
            items,
            had_objects,
            yielded: 0,
            max,
            pending: None,
            done: false,
            is_events,
            latest_cursor: None,
        }
    }

    /// The events cursor to keep, once the stream ended by running out of pages.
    pub fn latest_cursor(&self) -> Option<&Value> {
        self.latest_cursor.as_ref()
    }
}

impl Stream for PagingIterator {
    type Item = Result<Resource>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(fut) = this.pending.as_mut() {
                match fut.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(mut next)) => {
                        this.pending = None;
                        this.had_objects = !next.objects.is_empty();
                        this.items = std::mem::take(&mut next.objects).into_iter();
                        this.current = Some(next);
                    }
                    Poll::Ready(Err(Error::NoNextPage { cursor })) => {
                        this.pending = None;
                        this.done = true;
                        if this.is_events {
                            this.latest_cursor = cursor;
                        }
                        return Poll::Ready(None);
                    }
                    Poll::Ready(Err(e)) => {
                        this.pending = None;
                        this.done = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                }
            }
            if let Some(item) = this.items.next() {
                this.yielded += 1;
                if this.max == Some(this.yielded) {
                    this.done = true;
                }
                return Poll::Ready(Some(Ok(item)));
            }
            // The page is spent: move it into the request for the next one (one page in memory).
            let Some(list) = this.current.take() else {
                this.done = true;
                return Poll::Ready(None);
            };
            let had_objects = this.had_objects;
            this.pending = Some(Box::pin(
                async move { list.next_page_after(had_objects).await },
            ));
        }
    }
}

impl ResponseJson {
    /// `refresh()`.
    pub async fn refresh(&mut self) -> Result<()> {
        *self = refreshed(&self.meta, |r| match r {
            Response::Json(j) => Ok(j),
            Response::Resource(r) => Ok(ResponseJson {
                meta: r.meta,
                data: r.data,
            }),
            other => Err(other.kind()),
        })
        .await?;
        Ok(())
    }
}

impl ResourceList {
    /// `refresh()`: the first page's GET again (its query and headers), the list taking the
    /// new data and objects.
    pub async fn refresh(&mut self) -> Result<()> {
        *self = refreshed(&self.meta, |r| match r {
            Response::List(l) => Ok(l),
            other => Err(other.kind()),
        })
        .await?;
        Ok(())
    }
}

impl RawResponse {
    /// `refresh()`: the original GET again (else `GET self.url`); the answer must be raw again.
    pub async fn refresh(&mut self) -> Result<()> {
        *self = refreshed(&self.meta, |r| match r {
            Response::Raw(r) => Ok(r),
            other => Err(other.kind()),
        })
        .await?;
        Ok(())
    }
}
