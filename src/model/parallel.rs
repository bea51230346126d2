//! Work over many independent items spread over the machine's cores, results in the
//! items' order. Loading 2,500 records and measuring agreement over them are the places
//! where one core is not enough on a two-core laptop.

/// `f` over `items` on every core when there are at least `min` items, else in this thread.
pub fn map<T: Sync, U: Send>(items: &[T], min: usize, f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < min.max(2) {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker thread panicked"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_whatever_the_split() {
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(
            super::map(&items, 1, |x| x * 2),
            items.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
        assert_eq!(super::map(&items[..3], 10, |x| x + 1), vec![1, 2, 3]);
    }
}
