//! The reference model of one task's folder: for each name, the states it may be in (absent,
//! or one of the contents written to it). An acknowledged write leaves one state; a write that
//! failed may have taken effect, so it adds its state beside the old one; a read that answers
//! narrows them again. A read that fits no state is a violation.

use std::collections::BTreeMap;

use bytes::Bytes;

use super::plan::NAMES;

/// What a read saw: `None` (not found), or the length and, when read, the bytes at an offset.
pub type Seen<'a> = Option<(u64, Option<(u64, &'a [u8])>)>;

/// One name's possible states: `None` is absent.
pub type States = Vec<Option<Bytes>>;

/// A task's folder, as the model knows it.
#[derive(Debug, Clone)]
pub struct Model {
    names: BTreeMap<&'static str, States>,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            names: NAMES.iter().map(|n| (*n, vec![None])).collect(),
        }
    }
}

fn add(states: &mut States, s: Option<Bytes>) {
    if !states.contains(&s) {
        states.push(s);
    }
}

impl Model {
    /// The states of `name`.
    pub fn states(&self, name: &str) -> &[Option<Bytes>] {
        self.names.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every name with its states.
    pub fn all(&self) -> impl Iterator<Item = (&'static str, &States)> {
        self.names.iter().map(|(n, s)| (*n, s))
    }

    fn set(&mut self, name: &str, states: States) {
        if let Some(s) = self.names.get_mut(name) {
            *s = states;
        }
    }

    /// The one contents `name` surely has, when it surely exists with one.
    pub fn known(&self, name: &str) -> Option<&Bytes> {
        match self.states(name) {
            [Some(b)] => Some(b),
            _ => None,
        }
    }

    /// A write of `state` to `name`: acknowledged (`ok`) or failed (it may have landed).
    pub fn write(&mut self, name: &str, state: Option<Bytes>, ok: bool) {
        if ok {
            self.set(name, vec![state]);
        } else if let Some(s) = self.names.get_mut(name) {
            add(s, state);
        }
    }

    /// A copy (`delete_from`: a rename) from `from` to `to`, acknowledged or failed.
    pub fn transfer(&mut self, from: &str, to: &str, delete_from: bool, ok: bool) {
        let sources: States = self
            .states(from)
            .iter()
            .filter(|s| s.is_some())
            .cloned()
            .collect();
        if ok {
            self.set(
                from,
                if delete_from {
                    vec![None]
                } else {
                    sources.clone()
                },
            );
            self.set(to, sources);
        } else {
            if let Some(t) = self.names.get_mut(to) {
                // A replaced object is deleted first (no provider has an atomic replace):
                // a failed call may have done that much.
                add(t, None);
                for s in sources {
                    add(t, s);
                }
            }
            if delete_from {
                if let Some(f) = self.names.get_mut(from) {
                    add(f, None);
                }
            }
        }
    }

    /// A read of `name` that answered: `None` (not found), or the object's length and,
    /// when read, the bytes at `offset`. The states it rules out go; an answer no state
    /// fits is an error naming what was seen.
    pub fn observe(&mut self, name: &str, seen: Seen<'_>) -> Result<(), String> {
        let fits = |s: &Option<Bytes>| match (s, seen) {
            (None, None) => true,
            (Some(b), Some((len, read))) => {
                b.len() as u64 == len
                    && read.is_none_or(|(off, bytes)| {
                        let a = off as usize;
                        b.get(a..a + bytes.len()) == Some(bytes)
                    })
            }
            _ => false,
        };
        let states = self.states(name).to_vec();
        let kept: States = states.iter().filter(|s| fits(s)).cloned().collect();
        if kept.is_empty() {
            let had: Vec<String> = states.iter().map(describe).collect();
            let got = match seen {
                None => "not found".to_owned(),
                Some((len, Some(_))) => format!("{len} bytes that no write made"),
                Some((len, None)) => format!("{len} bytes"),
            };
            return Err(format!(
                "{name}: read {got}, but the model has {}",
                had.join(" or ")
            ));
        }
        self.set(name, kept);
        Ok(())
    }
}

/// A state, for a message.
pub fn describe(s: &Option<Bytes>) -> String {
    match s {
        None => "absent".into(),
        Some(b) => format!("{} bytes", b.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &'static [u8]) -> Option<Bytes> {
        Some(Bytes::from_static(s))
    }

    #[test]
    fn a_failed_write_may_have_landed_and_a_read_decides() {
        let mut m = Model::default();
        m.write("a.txt", b(b"one"), true);
        m.write("a.txt", b(b"four"), false);
        assert_eq!(m.states("a.txt").len(), 2);
        m.observe("a.txt", Some((4, Some((0, b"four"))))).unwrap();
        assert_eq!(m.known("a.txt").map(|b| &b[..]), Some(&b"four"[..]));
        assert!(
            m.observe("a.txt", None).is_err(),
            "an acknowledged object is not lost"
        );
        let e = m.observe("a.txt", Some((4, Some((1, b"xx"))))).unwrap_err();
        assert!(e.contains("no write made"), "{e}");
    }

    #[test]
    fn a_rename_moves_and_a_failed_one_leaves_either() {
        let mut m = Model::default();
        m.write("a.txt", b(b"x"), true);
        m.transfer("a.txt", "b.bin", true, false);
        assert_eq!(m.states("a.txt").len(), 2);
        assert_eq!(m.states("b.bin").len(), 2);
        m.transfer("a.txt", "b.bin", true, true);
        assert_eq!(m.states("a.txt"), &[None]);
        assert_eq!(m.known("b.bin").map(|b| &b[..]), Some(&b"x"[..]));
    }
}
