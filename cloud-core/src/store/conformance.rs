//! (features `object-store` and `emulator`) object_store's own conformance functions
//! (`object_store::integration`) as one test each, against a provider's emulator, with the
//! functions a provider cannot pass listed, with the reason, in an exceptions file.
//!
//! The file has one line per exception, `<crate> <function> <reason>`; `#` starts a comment.
//! A listed function must fail (a listed function that passes fails the test, so that the
//! list never outlives its reason); any other must pass.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;

/// The reason `function` of `krate` is listed in `exceptions` (the file's text), if it is.
pub fn listed(exceptions: &str, krate: &str, function: &str) -> Option<String> {
    exceptions.lines().find_map(|line| {
        let line = line.split('#').next().unwrap_or_default().trim();
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some(c), Some(f)) if c == krate && f == function => {
                Some(words.collect::<Vec<_>>().join(" "))
            }
            _ => None,
        }
    })
}

/// Runs one conformance function and holds it to the exceptions file at `exceptions_path`.
pub async fn check(
    exceptions_path: &str,
    krate: &str,
    function: &str,
    run: impl Future<Output = ()>,
) {
    let text = std::fs::read_to_string(exceptions_path).unwrap_or_default();
    let reason = listed(&text, krate, function);
    let outcome = AssertUnwindSafe(run).catch_unwind().await;
    match (outcome, reason) {
        (Ok(()), None) | (Err(_), Some(_)) => {}
        (Ok(()), Some(reason)) => {
            #[allow(clippy::panic)]
            {
                panic!(
                    "{krate} passes {function} now: take it off {exceptions_path} (it said: {reason})"
                )
            }
        }
        (Err(panic), None) => std::panic::resume_unwind(panic),
    }
}

/// One `#[tokio::test]` per conformance function of `object_store::integration` (all of
/// them but `multipart` and `list_paginated`, which take traits a tree store does not
/// implement), each on a fresh store from `$make` (an async expression giving
/// `(guard, store)`: the guard, an emulator, lives as long as the test).
#[macro_export]
macro_rules! conformance_tests {
    (crate = $krate:literal, exceptions = $file:expr, store = $make:expr $(,)?) => {
        $crate::conformance_tests!(@each $krate, $file, $make;
            conformance_put_get_delete_list => |s| object_store::integration::put_get_delete_list(s),
            conformance_put_get_attributes => |s| object_store::integration::put_get_attributes(s),
            conformance_get_opts => |s| object_store::integration::get_opts(s),
            conformance_put_opts => |s| object_store::integration::put_opts(s, false),
            conformance_stream_get => |s| object_store::integration::stream_get(s),
            conformance_list_uses_directories_correctly => |s| object_store::integration::list_uses_directories_correctly(s),
            conformance_list_with_delimiter => |s| object_store::integration::list_with_delimiter(s),
            conformance_list_with_offset_exclusivity => |s| object_store::integration::list_with_offset_exclusivity(s),
            conformance_get_nonexistent_object => |s| async move {
                let r = object_store::integration::get_nonexistent_object(s, None).await;
                assert!(matches!(r, Err(object_store::Error::NotFound { .. })), "{r:?}");
            },
            conformance_rename_and_copy => |s| object_store::integration::rename_and_copy(s),
            conformance_copy_if_not_exists => |s| object_store::integration::copy_if_not_exists(s),
            conformance_copy_rename_nonexistent_object => |s| object_store::integration::copy_rename_nonexistent_object(s),
            conformance_multipart_race_condition => |s| object_store::integration::multipart_race_condition(s, true),
            conformance_multipart_out_of_order => |s| object_store::integration::multipart_out_of_order(s),
            family_overwrite_never_renames => |s| $crate::store::conformance::overwrite_never_renames(s),
            family_concurrent_puts_create_one_folder => |s| $crate::store::conformance::concurrent_puts_create_one_folder(s),
            family_aborted_or_dropped_uploads_leave_nothing => |s| $crate::store::conformance::aborted_or_dropped_uploads_leave_nothing(s),
            family_awkward_names_round_trip => |s| $crate::store::conformance::awkward_names_round_trip(s),
            family_large_multipart_round_trips => |s| $crate::store::conformance::large_multipart_round_trips(s),
            family_copy_and_rename_onto_themselves_keep_the_object => |s| $crate::store::conformance::copy_and_rename_onto_themselves_keep_the_object(s),
        );
    };
    (@each $krate:literal, $file:expr, $make:expr; $($name:ident => |$s:ident| $call:expr,)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let (_guard, store) = $make;
            let $s: &dyn object_store::ObjectStore = &store;
            let function = stringify!($name).trim_start_matches("conformance_");
            $crate::store::conformance::check($file, $krate, function, $call).await;
        }
    )*};
}

// The family's own conformance functions: what object_store's do not check and every store
// of this family promises (the module docs of `cloud_core::store`).

use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode};

async fn list_sizes(store: &dyn ObjectStore, prefix: &str) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = store
        .list(Some(&Path::from(prefix)))
        .map_ok(|m| (m.location.to_string(), m.size))
        .try_collect()
        .await
        .unwrap_or_else(|e| unreachable!("list {prefix}: {e}"));
    v.sort();
    v
}

async fn body(store: &dyn ObjectStore, path: &Path) -> Vec<u8> {
    match store.get(path).await {
        Ok(r) => r
            .bytes()
            .await
            .unwrap_or_else(|e| unreachable!("read {path}: {e}"))
            .to_vec(),
        Err(e) => unreachable!("get {path}: {e}"),
    }
}

/// A put to a taken path replaces the object in place: one object under that name, the new
/// bytes, never a provider's auto-renamed copy (`name (1).ext`); `PutMode::Create` on it is
/// `AlreadyExists` and changes nothing.
pub async fn overwrite_never_renames(store: &dyn ObjectStore) {
    let p = Path::from("over/write/report.csv");
    for content in ["first", "second, longer", "third"] {
        if let Err(e) = store.put(&p, content.into()).await {
            unreachable!("put {content}: {e}");
        }
    }
    assert_eq!(list_sizes(store, "over").await, vec![(p.to_string(), 5)]);
    assert_eq!(body(store, &p).await, b"third");
    let refused = store
        .put_opts(&p, "fourth".into(), PutMode::Create.into())
        .await;
    assert!(
        matches!(refused, Err(object_store::Error::AlreadyExists { .. })),
        "{refused:?}"
    );
    assert_eq!(body(store, &p).await, b"third");
    assert_eq!(list_sizes(store, "over").await.len(), 1);
}

/// Eight puts at once into one new folder create it once: every object lands in the same
/// folder (no `dir (1)` beside `dir`).
pub async fn concurrent_puts_create_one_folder(store: &dyn ObjectStore) {
    let puts = (0..8).map(|i| async move {
        let p = Path::from(format!("fresh/dir/f{i}.txt"));
        store.put(&p, format!("file {i}").into_bytes().into()).await
    });
    for r in futures::future::join_all(puts).await {
        if let Err(e) = r {
            unreachable!("concurrent put: {e}");
        }
    }
    let top = store
        .list_with_delimiter(Some(&Path::from("fresh")))
        .await
        .unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(top.common_prefixes, vec![Path::from("fresh/dir")]);
    let files = list_sizes(store, "fresh/dir").await;
    assert_eq!(files.len(), 8, "{files:?}");
}

/// An aborted multipart upload, and one dropped without `complete`, leave no object and no
/// listing entry; an upload to a taken name that is aborted leaves the old object as it was.
pub async fn aborted_or_dropped_uploads_leave_nothing(store: &dyn ObjectStore) {
    let p = Path::from("partial/never.bin");
    let mut up = store
        .put_multipart(&p)
        .await
        .unwrap_or_else(|e| unreachable!("{e}"));
    let part = up.put_part(vec![7u8; 6 << 20].into());
    part.await.unwrap_or_else(|e| unreachable!("{e}"));
    up.abort().await.unwrap_or_else(|e| unreachable!("{e}"));
    let dropped = Path::from("partial/dropped.bin");
    {
        let mut up = store
            .put_multipart(&dropped)
            .await
            .unwrap_or_else(|e| unreachable!("{e}"));
        up.put_part(vec![1u8; 1024].into())
            .await
            .unwrap_or_else(|e| unreachable!("{e}"));
    }
    for gone in [&p, &dropped] {
        let head = store.head(gone).await;
        assert!(
            matches!(head, Err(object_store::Error::NotFound { .. })),
            "{gone}: {head:?}"
        );
    }
    assert!(list_sizes(store, "partial").await.is_empty());
    let kept = Path::from("partial/kept.txt");
    store
        .put(&kept, "old".into())
        .await
        .unwrap_or_else(|e| unreachable!("{e}"));
    let mut up = store
        .put_multipart(&kept)
        .await
        .unwrap_or_else(|e| unreachable!("{e}"));
    up.put_part(vec![9u8; 100].into())
        .await
        .unwrap_or_else(|e| unreachable!("{e}"));
    up.abort().await.unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(body(store, &kept).await, b"old");
}

/// Names with `#`, `?`, `%`, `+`, spaces, quotes, non-ASCII and emoji round-trip: put, head,
/// get, list, copy and rename.
pub async fn awkward_names_round_trip(store: &dyn ObjectStore) {
    let names = [
        "odd/h#sh/q?mark.txt",
        "odd/per%cent/plus+sign.txt",
        "odd/sp ace/it's \"quoted\".txt",
        "odd/ünï/Résumé 🎉.txt",
        "odd/%41%42/literal.txt",
    ];
    for (i, n) in names.iter().enumerate() {
        let p = Path::parse(n).unwrap_or_else(|e| unreachable!("{n}: {e}"));
        // Twice: the second put replaces the first under the same awkward name.
        for content in ["first".to_owned(), format!("#{i}")] {
            store
                .put(&p, content.into_bytes().into())
                .await
                .unwrap_or_else(|e| unreachable!("put {n}: {e}"));
        }
        assert_eq!(body(store, &p).await, format!("#{i}").as_bytes(), "{n}");
    }
    let all = list_sizes(store, "odd").await;
    let mut want: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    want.sort();
    assert_eq!(all.into_iter().map(|(p, _)| p).collect::<Vec<_>>(), want);
    let from = Path::parse(names[3]).unwrap_or_else(|e| unreachable!("{e}"));
    let to = Path::parse("odd/copies/ça + 100%.txt").unwrap_or_else(|e| unreachable!("{e}"));
    store
        .copy(&from, &to)
        .await
        .unwrap_or_else(|e| unreachable!("copy: {e}"));
    assert_eq!(body(store, &to).await, b"#3");
    let moved = Path::parse("odd/moved/#1?.txt").unwrap_or_else(|e| unreachable!("{e}"));
    store
        .rename(&to, &moved)
        .await
        .unwrap_or_else(|e| unreachable!("rename: {e}"));
    assert_eq!(body(store, &moved).await, b"#3");
    assert!(matches!(
        store.head(&to).await,
        Err(object_store::Error::NotFound { .. })
    ));
}

/// A copy or a rename of an object onto its own path keeps it (a store that replaced the
/// target first would delete the source); the `Create` modes are `AlreadyExists`.
pub async fn copy_and_rename_onto_themselves_keep_the_object(store: &dyn ObjectStore) {
    let p = Path::from("self/same.txt");
    store
        .put(&p, "keep me".into())
        .await
        .unwrap_or_else(|e| unreachable!("{e}"));
    store
        .copy(&p, &p)
        .await
        .unwrap_or_else(|e| unreachable!("copy onto itself: {e}"));
    assert_eq!(body(store, &p).await, b"keep me");
    store
        .rename(&p, &p)
        .await
        .unwrap_or_else(|e| unreachable!("rename onto itself: {e}"));
    assert_eq!(body(store, &p).await, b"keep me");
    let refused = store.copy_if_not_exists(&p, &p).await;
    assert!(
        matches!(refused, Err(object_store::Error::AlreadyExists { .. })),
        "{refused:?}"
    );
    assert_eq!(body(store, &p).await, b"keep me");
}

/// A 40 MiB object written by `WriteMultipart` in 5 MiB parts reads back byte for byte,
/// whole and by ranges across part boundaries.
pub async fn large_multipart_round_trips(store: &dyn ObjectStore) {
    let p = Path::from("big/forty.bin");
    let data: Vec<u8> = (0..40u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let up = store
        .put_multipart(&p)
        .await
        .unwrap_or_else(|e| unreachable!("{e}"));
    let mut w = object_store::WriteMultipart::new(up);
    for chunk in data.chunks(1 << 20) {
        w.write(chunk);
    }
    w.finish().await.unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(
        store.head(&p).await.map(|m| m.size).ok(),
        Some(data.len() as u64)
    );
    let whole = body(store, &p).await;
    assert!(whole == data, "the object reads back as written");
    for r in [
        0..1,
        (5 << 20) - 3..(5 << 20) + 3,
        (40 << 20) - 10..40 << 20,
    ] {
        let got = store
            .get_range(&p, r.clone())
            .await
            .unwrap_or_else(|e| unreachable!("{r:?}: {e}"));
        assert_eq!(&got[..], &data[r.start as usize..r.end as usize], "{r:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# crate function reason\nacd  copy_if_not_exists  the trash keeps names # note\nkloudless stream_get\n";

    #[test]
    fn lines_name_a_crate_a_function_and_a_reason() {
        assert_eq!(
            listed(FILE, "acd", "copy_if_not_exists").as_deref(),
            Some("the trash keeps names")
        );
        assert_eq!(listed(FILE, "kloudless", "stream_get").as_deref(), Some(""));
        assert_eq!(listed(FILE, "acd", "stream_get"), None);
        assert_eq!(
            listed(FILE, "crate", "function"),
            None,
            "comments are not entries"
        );
    }

    #[tokio::test]
    async fn a_listed_function_must_fail_and_others_must_pass() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let path = dir.path().join("x.txt");
        std::fs::write(&path, "c listed because\n").unwrap_or_else(|e| unreachable!("{e}"));
        let p = path.to_string_lossy().into_owned();
        #[allow(clippy::panic)]
        check(&p, "c", "listed", async { panic!("fails as listed") }).await;
        check(&p, "c", "other", async {}).await;
        let passes = AssertUnwindSafe(check(&p, "c", "listed", async {}))
            .catch_unwind()
            .await;
        assert!(
            passes.is_err(),
            "a listed function that passes fails the test"
        );
    }
}
