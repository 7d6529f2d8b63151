package dev.vitals.core.kernel;

/**
 * The shared worker threads of the kernels (VectorGemm's products, Conv2d's unfolding): one fewer than
 * the cores, since the caller computes too. A call's parts are claimed by whoever is free, the
 * caller from the front and the workers from the back (so a part tends to run on the same core in
 * every call), and a worker that wakes late (its core busy with other work) costs nothing: the
 * caller takes its parts, and waits only for parts a worker has actually started. Who computes a
 * part never changes its result.
 *
 * <p>Idle workers spin for {@code vitals.workers.spinMicros} (200 us) before parking, as OpenBLAS's
 * own threads do, because a parked thread takes 6-10 us to wake and a training step hands out work
 * dozens of times. An earlier measurement found spinning worse (a 2-part job's round trip 51-67 us
 * against 18 us); it was taken while OpenBLAS's threads also spun on the same 2 cores. Since
 * OpenBLAS runs on one thread and Vitals splits its products here, spinning measured faster on whole
 * epochs: the MLP at batch 64 0.45-0.46 s against 0.49 s parked, the CNN 2.32-2.34 s against
 * 2.27-2.77 s (alternating profiles). {@code -Dvitals.workers.spinMicros=0} parks at once. Only one
 * call at a time is given to the workers; a call made while another runs (nested in a part, or from
 * a second training thread) is computed by its caller.
 */
public final class Workers {
    /** Worker threads besides the caller (one fewer than the cores). */
    static final int SIZE = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);

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
        // another job is running (a call nested in a part, or from a second thread): the caller does it all
        if (POST.isHeldByCurrentThread() || !POST.tryLock()) {
            job.work(true);
            job.awaitAll();
            return;
        }
        try {
            posted = job;
            for (int i = 0; i < WORKERS.length; i++) if (PARKED.get(i) == 1) java.util.concurrent.locks.LockSupport.unpark(WORKERS[i]);
            job.work(true);
            job.awaitSpinning();
        } finally {
            posted = null;
            // a worker keeps the last job it saw, to tell it from the next: without its part, so that
            // the job's captures (an optimizer and its model) do not outlive it
            job.part = null;
            POST.unlock();
        }
    }

    static final long SPIN_NS = Long.getLong("vitals.workers.spinMicros", 200) * 1000;
    private static volatile Job posted;
    private static final java.util.concurrent.locks.ReentrantLock POST = new java.util.concurrent.locks.ReentrantLock();
    private static final Thread[] WORKERS = new Thread[SIZE];
    /** 1 while a spinning worker is parked (or about to be): whoever posts a job must unpark it. */
    private static final java.util.concurrent.atomic.AtomicIntegerArray PARKED = new java.util.concurrent.atomic.AtomicIntegerArray(SIZE);

    static {
        for (int i = 0; i < SIZE; i++) {
            int id = i;
            WORKERS[i] = new Thread(() -> workLoop(id), "vitals-worker");
            WORKERS[i].setDaemon(true);
            WORKERS[i].start();
        }
    }

    private static void workLoop(int id) {
        Job last = null;
        while (true) {
            Job j = posted;
            if (j != null && j != last) {
                last = j;
                j.work(false);
                continue;
            }
            long deadline = System.nanoTime() + SPIN_NS;
            while (((j = posted) == null || j == last) && System.nanoTime() < deadline) Thread.onSpinWait();
            if (j != null && j != last) continue;
            // announce, then look once more: a job posted in between is either seen here or unparks us
            PARKED.set(id, 1);
            j = posted;
            if (j == null || j == last) java.util.concurrent.locks.LockSupport.park();
            PARKED.set(id, 0);
        }
    }

    /** A contiguous range [from, to) of items. */
    public interface Range { void run(int from, int to); }

    /**
     * Below this much work (in values streamed), {@link #split} runs on the caller: handing out the
     * parts (a wake-up of about 10 us) would cost more than the second core gains.
     */
    public static final long MIN_SPLIT_VALUES = 1 << 16;

    /**
     * Runs {@code body} over items [0, items) in contiguous, nearly equal parts (two per thread, so a
     * late worker costs little) on the workers and the caller, or in one piece on the caller when the
     * {@code work} is below {@link #MIN_SPLIT_VALUES}. The work is counted in values streamed: the
     * size of the arrays a pass reads and writes, or more for a pass that waits on memory, such as a
     * gather of scattered rows. For bodies whose parts write disjoint outputs, so the result is the
     * same however the items are cut.
     */
    public static void split(int items, long work, Range body) {
        int parts = SIZE == 0 || work < MIN_SPLIT_VALUES ? 1 : Math.min(items, 2 * threads());
        runParts(items, parts, true, (part, from, to) -> body.run(from, to));
    }

    /** Part {@code part} of the items: the contiguous range [from, to). */
    public interface Part { void run(int part, int from, int to); }

    /**
     * Cuts items [0, items) into {@code parts} contiguous, nearly equal ranges and runs them, on the
     * workers and the caller when {@code share}, else one after another on the caller.
     */
    public static void runParts(int items, int parts, boolean share, Part body) {
        if (!share || parts <= 1) {
            for (int q = 0; q < parts; q++) body.run(q, first(items, parts, q), first(items, parts, q + 1));
            return;
        }
        run(parts, q -> body.run(q, first(items, parts, q), first(items, parts, q + 1)));
    }

    /** The first of {@code items} in part {@code part} of {@code parts} contiguous, nearly equal parts. */
    private static int first(int items, int parts, int part) { return (int) ((long) items * part / parts); }

    private static final class Job {
        private final int parts;
        /** Null once the job is over (only claimed parts read it, and all were claimed). */
        private java.util.function.IntConsumer part;
        /**
         * The parts not yet claimed, [front, back), as {@code front << 32 | back}. The caller claims
         * from the front, the workers from the back: with two threads each part of a call keeps its
         * core from one call to the next (the first half of a batch on the caller, the second on the
         * worker, in every layer and step; the first half of the parameters in every optimizer step),
         * so what a part wrote is still in that core's caches when the next call reads it. Claiming
         * in turn from one counter interleaved the parts between the cores differently in every call.
         * A side that runs ahead claims the other's parts, as before.
         */
        private final java.util.concurrent.atomic.AtomicLong unclaimed;
        private final java.util.concurrent.CountDownLatch done;
        private volatile Throwable failure;

        Job(int parts, java.util.function.IntConsumer part) {
            this.parts = parts;
            this.part = part;
            this.done = new java.util.concurrent.CountDownLatch(parts);
            this.unclaimed = new java.util.concurrent.atomic.AtomicLong(parts);
        }

        /** The next part from the front (the caller) or from the back (a worker); -1 when none is left. */
        int claim(boolean front) {
            while (true) {
                long s = unclaimed.get();
                int f = (int) (s >>> 32), b = (int) s;
                if (f >= b) return -1;
                long n = front ? (long) (f + 1) << 32 | b : (long) f << 32 | (b - 1);
                if (unclaimed.compareAndSet(s, n)) return front ? f : b - 1;
            }
        }

        void work(boolean front) {
            for (int i; (i = claim(front)) >= 0; ) {
                try {
                    part.accept(i);
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    done.countDown();
                }
            }
        }

        void awaitSpinning() {
            long deadline = System.nanoTime() + SPIN_NS;
            while (done.getCount() > 0 && System.nanoTime() < deadline) Thread.onSpinWait();
            awaitAll();
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
