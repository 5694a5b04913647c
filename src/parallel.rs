//! Owns splitting work over threads: a slice is cut into contiguous chunks, each chunk is
//! processed on its own thread, and the results come back in the slice's order, so the
//! output never depends on scheduling.

/// How many threads the machine offers. Asked once a run: on Linux the answer reads the
/// process's cgroup files, several system calls each time.
pub fn available_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Applies `f` to contiguous chunks of `items` on up to `threads` threads, at least
/// `min_per_thread` items a thread; returns the results in chunk order. A chunk whose
/// thread panicked gives `on_panic()`.
pub fn map_chunks<T, R, F>(
    items: &[T],
    threads: usize,
    min_per_thread: usize,
    f: F,
    on_panic: impl Fn() -> R,
) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&[T]) -> R + Sync,
{
    let threads = threads.clamp(1, (items.len() / min_per_thread.max(1)).max(1));
    if threads == 1 {
        return vec![f(items)];
    }
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items.chunks(chunk).map(|c| scope.spawn(|| f(c))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| on_panic()))
            .collect()
    })
}

/// Frees a large value on a thread of its own, so the caller goes on at once. A process
/// that ends first does not wait for it: the system takes the memory back in one step.
pub fn drop_later<T: Send + 'static>(value: T) {
    let spawned = std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value));
    // When no thread can be started the value was moved into the failed closure and is
    // dropped here, on this thread: slower, never lost.
    drop(spawned);
}

#[cfg(test)]
mod tests {
    use super::map_chunks;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        let sums = map_chunks(&items, 4, 10, |c| c.to_vec(), Vec::new);
        assert_eq!(sums.len(), 4);
        assert_eq!(sums.concat(), items);
        let one = map_chunks(&items, 4, 10_000, |c| c.len(), || 0);
        assert_eq!(one, vec![1000], "too few items for a second thread");
    }
}
