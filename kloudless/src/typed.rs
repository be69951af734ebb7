//! Typed access beside the generic calls: a [`Resource`] or [`ResourceList`] decoded into a
//! model (or the caller's own `T: Deserialize`), and [`TypedPages`], a listing decoded page
//! by page straight from the body's bytes into `T`, the next page fetched while this one is
//! consumed.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::{FutureExt, Stream};
use http::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::{Account, Body, Client, RequestOptions};
use crate::error::{Error, Result};
use crate::models::Page;
use crate::resources::{Resource, ResourceList, Response};
use crate::util::{is_events_url, strip_query};

fn decode_error(e: serde_json::Error) -> Error {
    Error::Decode(e.to_string())
}

impl Resource {
    /// The resource's JSON decoded as `T`: a model of [`crate::models`] or the caller's own
    /// type. No copy of the JSON is made.
    ///
    /// ```
    /// # async fn run(account: kloudless::Account) -> kloudless::Result<()> {
    /// use kloudless::models::Folder;
    /// use kloudless::RequestOptions;
    /// let root = account.get("storage/folders/root", RequestOptions::default()).await?;
    /// let folder: Folder = root.into_resource()?.decode()?;
    /// println!("{:?} at {:?}", folder.name, folder.path);
    /// # Ok(()) }
    /// ```
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        T::deserialize(&self.data).map_err(decode_error)
    }
}

impl ResourceList {
    /// This page's objects decoded as `T`, in order.
    pub fn decode_objects<T: DeserializeOwned>(&self) -> Result<Vec<T>> {
        self.objects.iter().map(Resource::decode).collect()
    }
}

impl Response {
    /// The JSON data (a resource's, a list's page without `objects`, or plain JSON) decoded
    /// as `T`; a raw answer is a decode error.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        match self.data() {
            Some(m) => T::deserialize(m).map_err(decode_error),
            None => Err(Error::Decode("a raw answer has no JSON to decode".into())),
        }
    }
}

/// How the next page is asked for.
#[derive(Debug, Clone)]
enum Next {
    /// `page=<id>`: a 404 means there is none.
    Page(String),
    /// `cursor=<c>` (events): an empty page means there is none.
    Cursor(String),
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The next page of `page`, by the rules of [`ResourceList::get_next_page`]: `next_page`
/// (or `page + 1` when the server gave none), or for events the cursor while a page has
/// objects and the cursor is not `-1`.
fn next_of<T>(page: &Page<T>, events: bool, next_page_sent: bool) -> Option<Next> {
    if events {
        let c = page.cursor.as_ref().map(text)?;
        return (c != "-1" && !page.objects.is_empty()).then_some(Next::Cursor(c));
    }
    match (&page.next_page, next_page_sent, &page.page) {
        (Some(v), _, _) => Some(Next::Page(text(v))),
        (None, true, _) => None,
        (None, false, Some(Value::Number(n))) => {
            n.as_i64().map(|p| Next::Page((p + 1).to_string()))
        }
        _ => None,
    }
}

/// One request of a listing.
#[derive(Clone)]
struct Request {
    client: Client,
    url: String,
    params: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    events: bool,
}

/// A page and whether its JSON named `next_page` (null counts: it means "the last page").
type Fetched<T> = (Page<T>, bool);

impl Request {
    fn with(&self, next: &Next) -> Vec<(String, String)> {
        let key = match next {
            Next::Page(_) => "page",
            Next::Cursor(_) => "cursor",
        };
        let mut p: Vec<(String, String)> = self
            .params
            .iter()
            .filter(|(k, _)| k != key)
            .cloned()
            .collect();
        p.push((
            key.into(),
            match next {
                Next::Page(v) | Next::Cursor(v) => v.clone(),
            },
        ));
        p
    }

    /// One page, decoded from the body's bytes (read up to the family's JSON limit).
    async fn fetch<T: DeserializeOwned>(self, params: Vec<(String, String)>) -> Result<Fetched<T>> {
        let (resp, _) = self
            .client
            .send_http(
                Method::GET,
                &self.url,
                &params,
                self.headers.clone(),
                &Body::None,
            )
            .await?;
        let limit = cloud_core::transport::json_limit(&resp);
        let body = cloud_core::transport::read_body(&Method::GET, resp, limit)
            .await
            .map_err(Error::Transport)?;
        let page: Page<T> = cloud_core::transport::json_from_bytes(&body).map_err(decode_error)?;
        let given = page.next_page_given;
        Ok((page, given))
    }
}

/// A listing decoded as `T`, page by page, straight from each body's bytes (no intermediate
/// JSON tree), with a look-ahead of one page: the next page is requested as soon as this one
/// arrives, and read while this one's items are consumed. The paging rules are
/// [`ResourceList::get_paging_iterator`]'s (page numbers with the 404 end, or the events
/// cursor); [`TypedPages::latest_cursor`] gives the events cursor to keep once it ends.
#[must_use = "a stream does nothing until polled"]
pub struct TypedPages<T> {
    request: Request,
    items: VecDeque<T>,
    pending: Option<BoxFuture<'static, Result<Fetched<T>>>>,
    /// The next page's answer, arrived before it was needed.
    ready: Option<Result<Fetched<T>>>,
    first: bool,
    done: bool,
    latest_cursor: Option<Value>,
    pages: u64,
    _t: PhantomData<fn() -> T>,
}

// Nothing of a `TypedPages` is pinned in place: its items are moved out by value.
impl<T> Unpin for TypedPages<T> {}

impl<T> fmt::Debug for TypedPages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypedPages")
            .field("url", &self.request.url)
            .field("pages", &self.pages)
            .field("buffered", &self.items.len())
            .field("latest_cursor", &self.latest_cursor)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> TypedPages<T> {
    fn new(request: Request) -> Self {
        let params = request.params.clone();
        let pending = Some(request.clone().fetch::<T>(params).boxed());
        Self {
            request,
            items: VecDeque::new(),
            pending,
            ready: None,
            first: true,
            done: false,
            latest_cursor: None,
            pages: 0,
            _t: PhantomData,
        }
    }

    /// The events cursor to keep, once the stream has ended by running out of pages.
    pub fn latest_cursor(&self) -> Option<&Value> {
        self.latest_cursor.as_ref()
    }

    /// The pages fetched so far.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// Takes in a page that arrived: its items queued, the next one requested.
    fn take(&mut self, fetched: Result<Fetched<T>>) -> Option<Error> {
        let first = std::mem::replace(&mut self.first, false);
        let (page, sent_next) = match fetched {
            Ok(p) => p,
            // A 404 past the first page is the end (the original's guess of `page + 1`).
            Err(Error::NotFound(_)) if !first && !self.request.events => {
                self.done = true;
                return None;
            }
            Err(e) => {
                self.done = true;
                return Some(e);
            }
        };
        self.pages += 1;
        if self.request.events && !first && page.objects.is_empty() {
            self.latest_cursor = page.cursor.clone();
            self.done = true;
            return None;
        }
        match next_of(&page, self.request.events, sent_next) {
            Some(next) => {
                let params = self.request.with(&next);
                self.pending = Some(self.request.clone().fetch::<T>(params).boxed());
            }
            None => {
                if self.request.events {
                    self.latest_cursor = page.cursor.clone();
                }
            }
        }
        self.items.extend(page.objects);
        None
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for TypedPages<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            // Drive the look-ahead whenever polled, so the next page is read meanwhile.
            if this.ready.is_none() {
                if let Some(fut) = this.pending.as_mut() {
                    if let Poll::Ready(r) = fut.poll_unpin(cx) {
                        this.pending = None;
                        this.ready = Some(r);
                    }
                }
            }
            if let Some(item) = this.items.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match this.ready.take() {
                Some(r) => {
                    if let Some(e) = this.take(r) {
                        return Poll::Ready(Some(Err(e)));
                    }
                }
                None if this.pending.is_some() => return Poll::Pending,
                None => {
                    this.done = true;
                    return Poll::Ready(None);
                }
            }
        }
    }
}

impl Client {
    /// A listing at `path` (relative to the client's URL, as [`Client::get`]) decoded as `T`,
    /// page by page: see [`TypedPages`]. `options`' query and headers go with every page.
    pub fn list<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        options: RequestOptions,
    ) -> TypedPages<T> {
        let (url, headers) = self.prepare(path, &options);
        let mut params = options.params;
        if let Ok(u) = url::Url::parse(&url) {
            params.extend(u.query_pairs().into_owned());
        }
        let url = strip_query(&url).to_owned();
        TypedPages::new(Request {
            client: self.clone(),
            events: is_events_url(&url),
            url,
            params,
            headers,
        })
    }
}

impl Account {
    /// [`Client::list`] on this account: a folder's contents, links, search hits, events...
    /// decoded as `T` straight from the bytes, page by page.
    ///
    /// ```
    /// # #[cfg(feature = "emulator")]
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use futures::TryStreamExt;
    /// use kloudless::emulator::Emulator;
    /// use kloudless::models::{StorageObject, UploadMetadata};
    /// use kloudless::{Account, Configuration, RequestOptions};
    ///
    /// let emu = Emulator::start().await?;
    /// let account =
    ///     Account::with_config(Some(emu.token()), None, None, &Configuration::with_base_url(emu.base_url()))?;
    /// let meta = UploadMetadata::new("root", "Résumé.txt");
    /// account
    ///     .post(
    ///         "storage/files",
    ///         RequestOptions::default().metadata(&meta).data(&b"hello"[..]),
    ///     )
    ///     .await?;
    /// let entries: Vec<StorageObject> = account
    ///     .list("storage/folders/root/contents", RequestOptions::default().param("page_size", 100))
    ///     .try_collect()
    ///     .await?;
    /// assert_eq!(entries[0].name(), Some("Résumé.txt"));
    /// # Ok(()) }
    /// # #[cfg(feature = "emulator")]
    /// # tokio::runtime::Runtime::new().unwrap().block_on(run()).unwrap();
    /// ```
    pub fn list<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        options: RequestOptions,
    ) -> TypedPages<T> {
        self.as_client().list(path, options)
    }
}
