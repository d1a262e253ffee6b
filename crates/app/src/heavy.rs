//! 繁重工作 — scoring an assessment, rendering an XLSX or PDF, reading an import: run on tokio's
//! blocking threads, never on the threads that answer requests, at most one per core at once. Jobs
//! beyond that wait in a bounded queue; when the queue is full the request is refused at once with
//! a Chinese message (HTTP 503) instead of piling up.

use kaohe_store::StoreError;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;

/// How many jobs may wait for a free core before a new one is refused.
pub const QUEUE: usize = 64;

/// A bound on heavy jobs: `running` permits, at most `queue` waiting.
pub struct Heavy {
    running: Semaphore,
    waiting: AtomicUsize,
    queue: usize,
}

/// The process's bound: one job per core, [`QUEUE`] waiting.
static HEAVY: LazyLock<Heavy> = LazyLock::new(|| {
    Heavy::new(
        std::thread::available_parallelism().map_or(2, |n| n.get()),
        QUEUE,
    )
});

/// Runs `f` as a heavy job under the process's bound (see [`Heavy::run`]).
pub async fn run<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    HEAVY.run(f).await
}

/// Counts a job as waiting while it waits (also when its request goes away meanwhile).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Heavy {
    pub fn new(running: usize, queue: usize) -> Heavy {
        Heavy {
            running: Semaphore::new(running.max(1)),
            waiting: AtomicUsize::new(0),
            queue,
        }
    }

    /// Runs `f` on a blocking thread once a permit is free; refused with [`StoreError::Busy`] when
    /// `queue` jobs are already waiting.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        let permit = match self.running.try_acquire() {
            Ok(p) => p,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(busy());
                }
                let _waiting = Waiting(&self.waiting);
                self.running.acquire().await.map_err(|_| busy())?
            }
        };
        let out = tokio::task::spawn_blocking(f).await;
        drop(permit);
        out.map_err(|e| StoreError::Io(std::io::Error::other(format!("计算任务中断：{e}"))))
    }
}

fn busy() -> StoreError {
    StoreError::Busy("服务器正忙：计算、导出或导入任务排队已满，请稍等片刻后刷新重试".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_at_once_and_frees_when_done() {
        let heavy = Arc::new(Heavy::new(1, 1));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let h = heavy.clone();
        let first = tokio::spawn(async move { h.run(move || hold.recv().is_ok()).await });
        while heavy.running.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let h = heavy.clone();
        let second = tokio::spawn(async move { h.run(|| 2).await });
        while heavy.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        // One running, one waiting: the third is refused, in Chinese, as busy.
        match heavy.run(|| 3).await {
            Err(StoreError::Busy(m)) => assert!(m.contains("服务器正忙"), "{m}"),
            other => panic!("expected busy, got {:?}", other.map_err(|e| e.to_string())),
        }
        release.send(()).unwrap();
        assert!(first.await.unwrap().unwrap());
        assert_eq!(second.await.unwrap().unwrap(), 2);
        assert_eq!(heavy.waiting.load(Ordering::SeqCst), 0);
        assert_eq!(heavy.run(|| 4).await.unwrap(), 4);
    }
}
