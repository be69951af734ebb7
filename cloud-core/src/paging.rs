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
use std::future::Future;

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
