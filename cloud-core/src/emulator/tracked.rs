//! State that knows when it changed: emulators keep answers that are costly to compute (a
//! large folder sorted for paging) until the state they came from changes.

use std::ops::Deref;
use std::sync::Arc;

/// A value read freely (through `Deref`) and changed only through [`Tracked::modify`], which
/// moves its generation on.
#[derive(Debug, Default, Clone)]
pub struct Tracked<T> {
    value: T,
    generation: u64,
}

impl<T> Tracked<T> {
    /// Wraps a value, generation 0.
    pub fn new(value: T) -> Self {
        Self {
            value,
            generation: 0,
        }
    }

    /// Mutable access: counts as a change.
    pub fn modify(&mut self) -> &mut T {
        self.generation += 1;
        &mut self.value
    }

    /// How many times the value was open to change.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

/// A state dump holds the value only (a loaded state starts at generation 0).
impl<T: serde::Serialize> serde::Serialize for Tracked<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Tracked<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Tracked::new)
    }
}

impl<T> Deref for Tracked<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// One computed list kept for a key (a folder, a query) at one generation of its source.
#[derive(Debug, Default)]
pub struct ListCache<T> {
    kept: Option<(String, u64, Arc<Vec<T>>)>,
}

impl<T> ListCache<T> {
    /// An empty cache.
    pub fn new() -> Self {
        Self { kept: None }
    }

    /// The list kept for `key` at `generation`, if that is the one kept.
    pub fn peek(&self, key: &str, generation: u64) -> Option<Arc<Vec<T>>> {
        match &self.kept {
            Some((k, g, list)) if k == key && *g == generation => Some(Arc::clone(list)),
            _ => None,
        }
    }

    /// The list kept for `key` at `generation`, or `compute`'s, which is then kept instead.
    pub fn get_or(
        &mut self,
        key: &str,
        generation: u64,
        compute: impl FnOnce() -> Vec<T>,
    ) -> Arc<Vec<T>> {
        if let Some((k, g, list)) = &self.kept {
            if k == key && *g == generation {
                return Arc::clone(list);
            }
        }
        let list = Arc::new(compute());
        self.kept = Some((key.to_owned(), generation, Arc::clone(&list)));
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_invalidates_the_kept_list() {
        let mut v = Tracked::new(vec![3, 1, 2]);
        let mut cache = ListCache::new();
        let mut computed = 0;
        let mut sorted = |v: &Tracked<Vec<i32>>, computed: &mut i32| {
            cache.get_or("k", v.generation(), || {
                *computed += 1;
                let mut s = (**v).clone();
                s.sort();
                s
            })
        };
        assert_eq!(*sorted(&v, &mut computed), [1, 2, 3]);
        assert_eq!(*sorted(&v, &mut computed), [1, 2, 3]);
        assert_eq!(computed, 1);
        v.modify().push(0);
        assert_eq!(*sorted(&v, &mut computed), [0, 1, 2, 3]);
        assert_eq!(computed, 2);
    }
}
