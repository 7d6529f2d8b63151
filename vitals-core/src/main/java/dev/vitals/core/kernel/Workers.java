package dev.vitals.core.kernel;

/**
 * The shared worker threads of the kernels (VectorGemm's products, Conv2d's unfolding): one fewer than
 * the cores, since the caller computes too. A call's parts are claimed from a counter by whoever is free, the caller included, so a worker that
 * wakes late (its core busy with other work) costs nothing: the caller takes its part, and waits
 * only for parts a worker has actually started. Who computes a part never changes its result.
 *
 * <p>Workers park when idle. Spinning for 50 us before parking (as OpenBLAS's threads do) was
 * tried: the wake-up got faster (p50 6 us against 9 us) but the round trip of a 2-part job with a
 * 20 us part on the caller went from 18 us to 51-67 us at the median on this 2-core machine, where
 * a spinning thread takes the core that the caller or other processes need.
 */
public final class Workers {
    /** Worker threads besides the caller (one fewer than the cores). */
    static final int SIZE = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
    private static final java.util.concurrent.ExecutorService EXEC = SIZE == 0 ? null
            : java.util.concurrent.Executors.newFixedThreadPool(SIZE, r -> {
                Thread t = new Thread(r, "vitals-worker");
                t.setDaemon(true);
                return t;
            });

    /** Threads a call of {@link #run} can use: the workers and the caller. */
    public static int threads() { return SIZE + 1; }

    /**
     * Runs part(0..parts-1) on the caller and up to parts-1 workers, and returns when all are
     * done; rethrows the first failure. There may be more parts than threads.
     */
    public static void run(int parts, java.util.function.IntConsumer part) {
        if (parts <= 1 || SIZE == 0) {
            for (int i = 0; i < parts; i++) part.accept(i);
            return;
        }
        Job job = new Job(parts, part);
        for (int i = 1; i < Math.min(parts, SIZE + 1); i++) EXEC.execute(job::work);
        job.work();
        job.awaitAll();
    }

    private static final class Job {
        private final int parts;
        private final java.util.function.IntConsumer part;
        private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.CountDownLatch done;
        private volatile Throwable failure;

        Job(int parts, java.util.function.IntConsumer part) {
            this.parts = parts;
            this.part = part;
            this.done = new java.util.concurrent.CountDownLatch(parts);
        }

        void work() {
            for (int i; (i = next.getAndIncrement()) < parts; ) {
                try {
                    part.accept(i);
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    done.countDown();
                }
            }
        }

        void awaitAll() {
            // Wait even if interrupted: returning early would leave a worker writing into the caller's arrays.
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            Throwable t = failure;
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error er) throw er;
            if (t != null) throw new IllegalStateException("worker failed", t);
        }
    }
}
