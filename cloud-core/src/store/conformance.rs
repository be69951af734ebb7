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
