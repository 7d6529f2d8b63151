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

    /** A contiguous range [from, to) of items. */
    public interface Range { void run(int from, int to); }

    /**
     * Below this many values touched, {@link #split} runs on the caller: handing out the parts
     * (a wake-up of about 10 us) would cost more than the second core gains.
     */
    public static final long MIN_SPLIT_VALUES = 1 << 16;

    /**
     * Runs {@code body} over items [0, items) in contiguous, nearly equal parts (two per thread, so a
     * late worker costs little) on the workers and the caller, or in one piece on the caller when the
     * work ({@code values} touched) is below {@link #MIN_SPLIT_VALUES}. For bodies whose parts write
     * disjoint outputs, so the result is the same however the items are cut.
     */
    public static void split(int items, long values, Range body) {
        int parts = SIZE == 0 || values < MIN_SPLIT_VALUES ? 1 : Math.min(items, 2 * threads());
        if (parts <= 1) {
            body.run(0, items);
            return;
        }
        run(parts, part -> body.run((int) ((long) items * part / parts), (int) ((long) items * (part + 1) / parts)));
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
