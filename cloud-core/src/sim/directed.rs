//! Directed cases, kept as tests every crate runs (through [`sim_tests!`](crate::sim_tests)):
//! a fault the simulation draws at random, put by hand on the one request where it hurts
//! most, so that the case is met on every run (a concurrent seed does not replay the same
//! way: its faults hit whichever request comes next).

use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload};

use super::Instance;
use crate::emulator::Route;

/// A copy or rename onto a taken name, when the answer to deleting the old object is lost
/// after the server deleted it (a cut response): a
/// client that sends the delete again is told "not found", one that does not gets an error.
/// The call may succeed (the old object is gone, as asked), or fail with its own error, the
/// source intact and the old object gone or intact (the store's documented outcome of a
/// failed replace), but it never answers `NotFound` for a source that is there, and never
/// leaves the target holding anything else. `delete` is the route of the crate's delete of
/// a replaced object.
pub async fn replace_after_a_lost_delete_answer(
    inst: &Instance,
    delete: Route,
) -> Result<(), String> {
    let store = &inst.store;
    let (a, b) = (Path::from("lost/a.bin"), Path::from("lost/b.bin"));
    for rename in [false, true] {
        let mine = Bytes::from(format!("the source, rename={rename}"));
        let theirs = Bytes::from_static(b"the old object, to be replaced");
        let put = |p: &Path, bytes: &Bytes| {
            let (p, bytes) = (p.clone(), bytes.clone());
            async move {
                store
                    .put(&p, PutPayload::from(bytes))
                    .await
                    .map_err(|e| format!("put {p}: {e}"))
            }
        };
        put(&a, &mine).await?;
        put(&b, &theirs).await?;
        inst.faults.drop_response_after(1, delete.clone(), 0);
        let r = if rename {
            store.rename(&a, &b).await
        } else {
            store.copy(&a, &b).await
        };
        inst.faults.clear();
        let what = if rename { "rename" } else { "copy" };
        let read = |p: Path| async move {
            match store.get(&p).await {
                Ok(r) => r
                    .bytes()
                    .await
                    .map(Some)
                    .map_err(|e| format!("read {p}: {e}")),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(format!("get {p}: {e}")),
            }
        };
        let (source, target) = (read(a.clone()).await?, read(b.clone()).await?);
        match r {
            // Done: the target holds the source's bytes, the source stays for a copy.
            Ok(()) => {
                let kept = if rename { None } else { Some(mine.clone()) };
                if target.as_ref() != Some(&mine) || source != kept {
                    return Err(format!(
                        "the {what} succeeded, then {b} is {target:?} and {a} is {source:?}"
                    ));
                }
            }
            Err(object_store::Error::NotFound { .. }) => {
                return Err(format!(
                    "the {what} answered NotFound for a source that is there"
                ))
            }
            // Failed with the call's own error: the source stays, the old object may be gone.
            Err(e) => {
                let target_ok = target.is_none() || target.as_ref() == Some(&theirs);
                if source.as_ref() != Some(&mine) || !target_ok {
                    return Err(format!(
                        "the {what} failed ({e}), then {b} is {target:?} and {a} is {source:?}"
                    ));
                }
            }
        }
        store
            .delete(&b)
            .await
            .map_err(|e| format!("delete {b}: {e}"))?;
    }
    Ok(())
}

/// A put whose request body is cut halfway (every request with a body, for as long as the
/// call goes on): the call fails, and the object is then absent or whole, never the bytes
/// that arrived (found by the simulation: the emulators' cut ended a body cleanly when the
/// cut fell in its last chunk, so a partial upload was stored as whole; kloudless seed 108).
pub async fn cut_put_leaves_nothing_partial(inst: &Instance) -> Result<(), String> {
    let store = &inst.store;
    for len in [1_500usize, 40_000] {
        let p = Path::from(format!("cut/{len}.bin"));
        let data = Bytes::from(super::rng::contents(len as u64, len));
        inst.faults
            .drop_request_after(50, Route::any(), (len / 2) as u64);
        let r = store.put(&p, PutPayload::from(data.clone())).await;
        inst.faults.clear();
        let got = match store.get(&p).await {
            Ok(g) => Some(g.bytes().await.map_err(|e| format!("read {p}: {e}"))?),
            Err(object_store::Error::NotFound { .. }) => None,
            Err(e) => return Err(format!("get {p}: {e}")),
        };
        match (&r, got) {
            (_, None) => {}
            (_, Some(b)) if b == data => {}
            (_, Some(b)) => {
                return Err(format!(
                    "a put of {len} bytes cut at {} ({r:?}) left {} bytes",
                    len / 2,
                    b.len()
                ))
            }
        }
    }
    Ok(())
}
