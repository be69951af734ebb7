//! [`Retained`]: the last so many entries of an append-only log (a provider's events, its
//! finished tasks), each at an absolute position that stays its own after older entries are
//! let go. An emulator under a long soak keeps its memory flat with it, as a service keeps
//! its history for so long and no longer.

use std::collections::VecDeque;

use serde::{Deserialize, Deserializer, Serialize};

/// How many entries a [`Retained`] log keeps by default.
pub const DEFAULT_RETAINED: usize = 10_000;

/// The last `capacity` entries of an append-only log, by absolute position (0 is the first
/// entry ever pushed). Serialized as `{"start": N, "items": [...]}`; a plain list (an older
/// dump) reads as a log starting at 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retained<T> {
    start: u64,
    items: VecDeque<T>,
    #[serde(skip)]
    capacity: usize,
}

impl<T> Default for Retained<T> {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_RETAINED)
    }
}

impl<T> Retained<T> {
    /// An empty log keeping at most `capacity` entries (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Retained {
            start: 0,
            items: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// Appends `item`; the oldest entry, when that made one too many, is handed back.
    pub fn push(&mut self, item: T) -> Option<T> {
        self.items.push_back(item);
        if self.items.len() > self.capacity {
            self.start += 1;
            self.items.pop_front()
        } else {
            None
        }
    }

    /// The position of the oldest entry kept (entries before it were let go).
    pub fn start(&self) -> u64 {
        self.start
    }

    /// The position the next entry will take: how many were ever pushed.
    pub fn end(&self) -> u64 {
        self.start + self.items.len() as u64
    }

    /// The entries kept from position `from` on (from the oldest kept when `from` is older).
    pub fn from(&self, from: u64) -> impl Iterator<Item = &T> {
        let skip = from.saturating_sub(self.start);
        self.items
            .iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
    }

    /// The entries kept, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Retained<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form<T> {
            Log { start: u64, items: VecDeque<T> },
            List(VecDeque<T>),
        }
        let (start, items) = match Form::deserialize(d)? {
            Form::Log { start, items } => (start, items),
            Form::List(items) => (0, items),
        };
        let capacity = DEFAULT_RETAINED.max(items.len());
        Ok(Retained {
            start,
            items,
            capacity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_go_and_positions_stay() {
        let mut log = Retained::with_capacity(3);
        let dropped: Vec<_> = (0..5).filter_map(|i| log.push(i)).collect();
        assert_eq!(dropped, [0, 1]);
        assert_eq!((log.start(), log.end()), (2, 5));
        assert_eq!(log.from(3).copied().collect::<Vec<_>>(), [3, 4]);
        assert_eq!(log.from(0).copied().collect::<Vec<_>>(), [2, 3, 4]);
        assert_eq!(log.from(9).count(), 0);
    }

    #[test]
    fn a_dump_reads_back_and_an_older_list_reads_from_zero() {
        let mut log = Retained::with_capacity(2);
        for i in 0..3 {
            log.push(i);
        }
        let text = serde_json::to_string(&log).unwrap();
        assert_eq!(text, r#"{"start":1,"items":[1,2]}"#);
        let back: Retained<i32> = serde_json::from_str(&text).unwrap();
        assert_eq!((back.start(), back.end()), (1, 3));
        let old: Retained<i32> = serde_json::from_str("[7,8]").unwrap();
        assert_eq!(
            (old.start(), old.iter().copied().collect::<Vec<_>>()),
            (0, vec![7, 8])
        );
    }
}
