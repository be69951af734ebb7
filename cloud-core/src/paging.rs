//! Paging: turn "fetch page N" or "fetch after cursor C" into a [`futures::Stream`] of items.
//!
//! The stream stops when a page is empty, when there is no next cursor, or when the next
//! cursor equals the one just used (a server that does not move would otherwise loop forever).
//! An error is yielded once and ends the stream.
//!
//! ```
//! use cloud_core::paging::{paginate, Page};
//! use futures::TryStreamExt;
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! // Pages 1..=3 of two items each; page 4 is empty.
//! let items: Vec<u32> = paginate(1u32, |page| async move {
//!     let items = if page <= 3 { vec![page * 10, page * 10 + 1] } else { vec![] };
//!     Ok::<_, cloud_core::Error>(Page::new(items, Some(page + 1)))
//! })
//! .try_collect()
//! .await?;
//! assert_eq!(items, [10, 11, 20, 21, 30, 31]);
//! # Ok::<_, cloud_core::Error>(()) }).unwrap();
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{self, Stream};

/// One page: its items and the cursor (or page number) of the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, C> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Where the next page starts, if the server says there is one.
    pub next: Option<C>,
}

impl<T, C> Page<T, C> {
    /// A page.
    pub fn new(items: Vec<T>, next: Option<C>) -> Self {
        Self { items, next }
    }

    /// The last page.
    pub fn last(items: Vec<T>) -> Self {
        Self { items, next: None }
    }
}

/// A stream of pages, starting at `start`, fetched one at a time by `fetch`.
pub fn pages<T, C, E, F, Fut>(start: C, fetch: F) -> impl Stream<Item = Result<Page<T, C>, E>>
where
    C: Clone + PartialEq,
    F: FnMut(C) -> Fut,
    Fut: Future<Output = Result<Page<T, C>, E>>,
{
    stream::unfold((Some(start), fetch), |(cursor, mut fetch)| async move {
        let cursor = cursor?;
        match fetch(cursor.clone()).await {
            Ok(page) => {
                if page.items.is_empty() {
                    return None;
                }
                let next = page.next.clone().filter(|n| *n != cursor);
                Some((Ok(page), (next, fetch)))
            }
            Err(e) => Some((Err(e), (None, fetch))),
        }
    })
}

/// A stream of the items of every page (see [`pages`]).
pub fn paginate<T, C, E, F, Fut>(start: C, fetch: F) -> impl Stream<Item = Result<T, E>>
where
    C: Clone + PartialEq,
    F: FnMut(C) -> Fut,
    Fut: Future<Output = Result<Page<T, C>, E>>,
{
    let pages = Box::pin(pages(start, fetch));
    stream::unfold(
        (pages, VecDeque::<T>::new()),
        |(mut pages, mut buffer)| async move {
            use futures::StreamExt;
            loop {
                if let Some(item) = buffer.pop_front() {
                    return Some((Ok(item), (pages, buffer)));
                }
                match pages.next().await? {
                    Ok(page) => buffer.extend(page.items),
                    Err(e) => return Some((Err(e), (pages, buffer))),
                }
            }
        },
    )
}

/// [`paginate`] with a look-ahead of one page: as soon as a page arrives, the next one is
/// requested (by `fetch` with the page's `next`), and its answer is read whenever the stream
/// is polled, so the next page is in flight while this one's items are consumed. At most two
/// pages are held: the one being consumed and the next. The end and the stuck-cursor rule
/// are [`pages`]'s; an error ends the stream after it is yielded.
pub fn paginate_ahead<T, C, E, F, Fut>(start: C, fetch: F) -> Ahead<T, C, E, F, Fut>
where
    C: Clone + PartialEq,
    F: FnMut(C) -> Fut,
    Fut: Future<Output = Result<Page<T, C>, E>>,
{
    let mut fetch = fetch;
    let pending = Some((start.clone(), Box::pin(fetch(start))));
    Ahead {
        fetch,
        pending,
        ready: None,
        buffer: VecDeque::new(),
        done: false,
    }
}

/// A page's answer, with the cursor it was asked with.
type Arrived<T, C, E> = (C, Result<Page<T, C>, E>);

/// The stream of [`paginate_ahead`].
#[must_use = "a stream does nothing until polled"]
pub struct Ahead<T, C, E, F, Fut> {
    fetch: F,
    /// The page in flight, with the cursor it was asked with.
    pending: Option<(C, Pin<Box<Fut>>)>,
    /// Its answer, when it came before it was needed.
    ready: Option<Arrived<T, C, E>>,
    buffer: VecDeque<T>,
    done: bool,
}

impl<T, C, E, F, Fut> fmt::Debug for Ahead<T, C, E, F, Fut> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ahead")
            .field("buffered", &self.buffer.len())
            .field("in_flight", &self.pending.is_some())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

// Nothing is pinned in place but the boxed future.
impl<T, C, E, F, Fut> Unpin for Ahead<T, C, E, F, Fut> {}

impl<T, C, E, F, Fut> Stream for Ahead<T, C, E, F, Fut>
where
    C: Clone + PartialEq,
    F: FnMut(C) -> Fut,
    Fut: Future<Output = Result<Page<T, C>, E>>,
{
    type Item = Result<T, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.ready.is_none() {
                if let Some((cursor, fut)) = this.pending.as_mut() {
                    if let Poll::Ready(out) = fut.as_mut().poll(cx) {
                        let cursor = cursor.clone();
                        this.pending = None;
                        this.ready = Some((cursor, out));
                    }
                }
            }
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match this.ready.take() {
                Some((cursor, Ok(page))) => {
                    if page.items.is_empty() {
                        this.done = true;
                        continue;
                    }
                    match page.next.filter(|n| *n != cursor) {
                        Some(next) => {
                            this.pending = Some((next.clone(), Box::pin((this.fetch)(next))));
                        }
                        None => this.done = true,
                    }
                    this.buffer.extend(page.items);
                }
                Some((_, Err(e))) => {
                    this.done = true;
                    this.pending = None;
                    return Poll::Ready(Some(Err(e)));
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

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use std::cell::Cell;

    fn block<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn stops_on_stuck_cursor() {
        let calls = Cell::new(0);
        let items: Vec<Result<u32, ()>> = block(
            paginate("c1".to_string(), |c| {
                calls.set(calls.get() + 1);
                async move {
                    // The server always answers with the same cursor.
                    let _ = c;
                    Ok(Page::new(vec![1, 2], Some("c1".to_string())))
                }
            })
            .collect(),
        );
        assert_eq!(items, vec![Ok(1), Ok(2)]);
        assert_eq!(calls.get(), 1);
    }

    /// The look-ahead gives what `paginate` gives, for each way a listing ends.
    #[test]
    fn ahead_ends_as_paginate_does() {
        type Fetch = fn(u32) -> std::future::Ready<Result<Page<u32, u32>, &'static str>>;
        let cases: [Fetch; 4] = [
            |p| {
                std::future::ready(Ok(Page::new(
                    if p <= 3 {
                        vec![p * 10, p * 10 + 1]
                    } else {
                        vec![]
                    },
                    Some(p + 1),
                )))
            },
            |p| {
                std::future::ready(if p == 0 {
                    Ok(Page::new(vec![1], Some(1)))
                } else if p == 1 {
                    Ok(Page::last(vec![2]))
                } else {
                    Err("never asked")
                })
            },
            |p| {
                std::future::ready(if p == 0 {
                    Ok(Page::new(vec![1, 2], Some(1)))
                } else {
                    Err("boom")
                })
            },
            |_| std::future::ready(Ok(Page::new(vec![7], Some(0)))),
        ];
        for fetch in cases {
            let plain: Vec<Result<u32, &str>> = block(paginate(0u32, fetch).collect());
            let ahead: Vec<Result<u32, &str>> = block(paginate_ahead(0u32, fetch).collect());
            assert_eq!(ahead, plain);
        }
    }

    /// The next page is asked for when a page arrives, before its items are consumed.
    #[test]
    fn ahead_asks_for_the_next_page_early() {
        let asked = std::rc::Rc::new(Cell::new(0u32));
        let a = asked.clone();
        block(async move {
            let mut s = paginate_ahead(1u32, move |p| {
                a.set(a.get().max(p));
                async move { Ok::<_, ()>(Page::new(vec![p; 3], (p < 5).then_some(p + 1))) }
            });
            assert_eq!(s.next().await, Some(Ok(1)));
            assert_eq!(asked.get(), 2, "page 2 asked for while page 1 is consumed");
            let rest: Vec<_> = s.collect().await;
            assert_eq!(rest.len(), 14);
        });
    }

    #[test]
    fn stops_on_no_next_and_yields_error_once() {
        let items: Vec<Result<u32, &str>> = block(
            paginate(0u32, |p| async move {
                match p {
                    0 => Ok(Page::new(vec![1], Some(1))),
                    1 => Ok(Page::last(vec![2])),
                    _ => Err("never asked"),
                }
            })
            .collect(),
        );
        assert_eq!(items, vec![Ok(1), Ok(2)]);
        let items: Vec<Result<u32, &str>> = block(
            paginate(0u32, |p| async move {
                match p {
                    0 => Ok(Page::new(vec![1], Some(1))),
                    _ => Err("boom"),
                }
            })
            .collect(),
        );
        assert_eq!(items, vec![Ok(1), Err("boom")]);
    }
}
