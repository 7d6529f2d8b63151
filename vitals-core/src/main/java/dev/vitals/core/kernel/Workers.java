package dev.vitals.core.kernel;

/**
 * The shared worker threads of the kernels (VectorGemm's products, Conv2d's unfolding): one fewer than
 * the cores, since the caller computes too. A call's parts are claimed from a counter by whoever is free, the caller included, so a worker that
 * wakes late (its core busy with other work) costs nothing: the caller takes its part, and waits
 * only for parts a worker has actually started. Who computes a part never changes its result.
 *
 * <p>Idle workers spin for {@code vitals.workers.spinMicros} (200 us) before parking, as OpenBLAS's
 * own threads do, because a parked thread takes 6-10 us to wake and a training step hands out work
 * dozens of times. An earlier measurement found spinning worse (a 2-part job's round trip 51-67 us
 * against 18 us); it was taken while OpenBLAS's threads also spun on the same 2 cores. Since
 * OpenBLAS runs on one thread and Vitals splits its products here, spinning measured faster on whole
 * epochs: the MLP at batch 64 0.45-0.46 s against 0.49 s parked, the CNN 2.32-2.34 s against
 * 2.27-2.77 s (alternating profiles). {@code -Dvitals.workers.spinMicros=0} parks at once and hands
 * parts to a thread pool instead. Only one call at a time is given to the spinning workers; a call
 * made while another runs (nested, or from a second training thread) is computed by its caller.
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
        if (SPIN_NS > 0) {
            runSpinning(job);
            return;
        }
        for (int i = 1; i < Math.min(parts, SIZE + 1); i++) EXEC.execute(job::work);
        job.work();
        job.awaitAll();
    }

    static final long SPIN_NS = Long.getLong("vitals.workers.spinMicros", 200) * 1000;
    private static volatile Job posted;
    private static final java.util.concurrent.locks.ReentrantLock POST = new java.util.concurrent.locks.ReentrantLock();
    private static final Thread[] SPINNERS = new Thread[SPIN_NS > 0 ? SIZE : 0];
    /** 1 while a spinning worker is parked (or about to be): whoever posts a job must unpark it. */
    private static final java.util.concurrent.atomic.AtomicIntegerArray PARKED = new java.util.concurrent.atomic.AtomicIntegerArray(SPINNERS.length);

    static {
        for (int i = 0; i < SPINNERS.length; i++) {
            int id = i;
            SPINNERS[i] = new Thread(() -> spinLoop(id), "vitals-worker");
            SPINNERS[i].setDaemon(true);
            SPINNERS[i].start();
        }
    }

    private static void runSpinning(Job job) {
        // another job is running (a call nested in a part, or from a second thread): the caller does it all
        if (POST.isHeldByCurrentThread() || !POST.tryLock()) {
            job.work();
            job.awaitAll();
            return;
        }
        try {
            posted = job;
            for (int i = 0; i < SPINNERS.length; i++) if (PARKED.get(i) == 1) java.util.concurrent.locks.LockSupport.unpark(SPINNERS[i]);
            job.work();
            job.awaitSpinning();
        } finally {
            posted = null;
            POST.unlock();
        }
    }

    private static void spinLoop(int id) {
        Job last = null;
        while (true) {
            Job j = posted;
            if (j != null && j != last) {
                last = j;
                j.work();
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
