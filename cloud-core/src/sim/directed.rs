//! Directed cases, kept as tests every crate runs (through [`sim_tests!`](crate::sim_tests)):
//! a fault the simulation draws at random, put by hand on the one request where it hurts
//! most, so that the case is met on every run (a concurrent seed does not replay the same
//! way: its faults hit whichever request comes next).

use std::time::Duration;

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use super::Instance;
use crate::emulator::{Fault, Route};

/// A copy or rename onto a taken name, when the answer to deleting the old object is lost
/// after the server deleted it (served, the connection closed before the answer): a
/// client that sends the delete again is told "not found", one that does not gets an error.
/// The call may succeed (the old object is gone, as asked), or fail with its own error, the
/// source intact (or, for a rename, moved) and the old object gone or intact (the store's
/// documented outcome of a failed replace), but it never answers `NotFound` for a source
/// that is there, and never leaves the target holding anything else. The same for a rename
/// into another folder under another name whose source delete answer is lost (found by the
/// simulation: verizon-pcs seed 2062). `delete` is the route of the crate's delete of a
/// replaced object.
pub async fn replace_after_a_lost_delete_answer(
    inst: &Instance,
    delete: Route,
) -> Result<(), String> {
    let store = &inst.store;
    let a = Path::from("lost/a.bin");
    // Onto a taken name (copy, rename), and a rename into another folder under another name
    // (a copy and the source's delete where the provider has no such move).
    for (rename, b, taken) in [
        (false, "lost/b.bin", true),
        (true, "lost/b.bin", true),
        (true, "lost/sub/c.bin", false),
    ] {
        let b = Path::from(b);
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
        if taken {
            put(&b, &theirs).await?;
        }
        inst.faults.lose_response(1, delete.clone());
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
            // Failed with the call's own error: the source stays, the old object may be gone
            // (or already replaced: the failure may have come after the copy).
            Err(e) => {
                let target_ok = target.is_none()
                    || target.as_ref() == Some(&theirs)
                    || target.as_ref() == Some(&mine);
                // A rename may have got as far as deleting the source, never losing it.
                let moved = rename && source.is_none() && target.as_ref() == Some(&mine);
                if !(source.as_ref() == Some(&mine) || moved) || !target_ok {
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

/// A put onto a taken name, with the answer to each of its requests lost in turn (served,
/// then the connection closed: the change is made, the client never learns it): the call
/// succeeds with the new bytes there, or fails with the old or the new bytes there, and the
/// folder then holds that one object and nothing else (found by the simulation: Orange
/// stores an upload onto a taken name as `stem(1).ext`, and when that answer was lost the
/// store never learnt the name, so the file stayed; orange-cloud seed 1027).
pub async fn lost_answers_in_a_replacing_put(inst: &Instance) -> Result<(), String> {
    let store = &inst.store;
    let folder = Path::from("lost-put");
    let p = Path::from("lost-put/a.bin");
    let old = Bytes::from_static(b"the old object");
    let new = Bytes::from_static(b"the new object, a little longer");
    let put = |bytes: &Bytes| {
        let bytes = bytes.clone();
        let p = &p;
        async move { store.put(p, PutPayload::from(bytes)).await }
    };
    put(&old).await.map_err(|e| format!("put {p}: {e}"))?;
    let before = inst.log.total();
    put(&new).await.map_err(|e| format!("put {p}: {e}"))?;
    let requests = inst.log.total() - before;
    for k in 0..requests {
        put(&old).await.map_err(|e| format!("put {p}: {e}"))?;
        if k > 0 {
            inst.faults
                .add(k as u32, Route::any(), Fault::Delay(Duration::ZERO));
        }
        inst.faults.lose_response(1, Route::any());
        let r = put(&new).await;
        inst.faults.clear();
        let listed: Vec<Path> = store
            .list(Some(&folder))
            .map_ok(|m| m.location)
            .try_collect()
            .await
            .map_err(|e| format!("list {folder}: {e}"))?;
        let got = store
            .get(&p)
            .await
            .map_err(|e| format!("get {p}: {e}"))?
            .bytes()
            .await
            .map_err(|e| format!("read {p}: {e}"))?;
        let what = format!(
            "a replacing put with answer {} of {requests} lost ({r:?})",
            k + 1
        );
        if listed != [p.clone()] {
            return Err(format!("{what} left {listed:?} in {folder}"));
        }
        let fine = match r {
            Ok(_) => got == new,
            Err(_) => got == new || got == old,
        };
        if !fine {
            return Err(format!("{what} left {} bytes in {p}", got.len()));
        }
    }
    Ok(())
}
