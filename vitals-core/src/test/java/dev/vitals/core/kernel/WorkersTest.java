package dev.vitals.core.kernel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The worker pool: every part exactly once, nested and concurrent calls, failures. */
class WorkersTest {
    @Test
    void everyPartRunsExactlyOnce() {
        for (int parts : new int[] {1, 2, 3, 7, 64}) {
            for (int round = 0; round < 200; round++) {
                AtomicIntegerArray seen = new AtomicIntegerArray(parts);
                Workers.run(parts, seen::incrementAndGet);
                for (int i = 0; i < parts; i++) assertEquals(1, seen.get(i), "part " + i + " of " + parts);
            }
        }
    }

    @Test
    void theCallerRunsAPrefixOfThePartsAndTheWorkersTheRest() {
        // which thread runs a part depends on timing; that the caller's parts are a prefix does not
        for (int parts : new int[] {2, 4, 8, 64}) {
            for (int round = 0; round < 200; round++) {
                Thread caller = Thread.currentThread();
                boolean[] onCaller = new boolean[parts];
                Workers.run(parts, p -> onCaller[p] = Thread.currentThread() == caller);
                int prefix = 0;
                while (prefix < parts && onCaller[prefix]) prefix++;
                for (int p = prefix; p < parts; p++) assertEquals(false, onCaller[p], "part " + p + " of " + parts + " ran on the caller after a worker's part");
            }
        }
    }

    @Test
    void aCallNestedInAPartCompletes() {
        AtomicIntegerArray seen = new AtomicIntegerArray(4 * 5);
        for (int round = 0; round < 100; round++) {
            for (int i = 0; i < seen.length(); i++) seen.set(i, 0);
            Workers.run(4, outer -> Workers.run(5, inner -> seen.incrementAndGet(outer * 5 + inner)));
            for (int i = 0; i < seen.length(); i++) assertEquals(1, seen.get(i), "part " + i);
        }
    }

    @Test
    void callsFromTwoThreadsAtOnceBothComplete() throws InterruptedException {
        AtomicIntegerArray a = new AtomicIntegerArray(1000), b = new AtomicIntegerArray(1000);
        Thread other = new Thread(() -> {
            for (int r = 0; r < 1000; r++) Workers.run(4, p -> a.incrementAndGet(p));
        });
        other.start();
        for (int r = 0; r < 1000; r++) Workers.run(4, p -> b.incrementAndGet(p));
        other.join();
        for (int p = 0; p < 4; p++) {
            assertEquals(1000, a.get(p));
            assertEquals(1000, b.get(p));
        }
    }

    @Test
    void aFailingPartIsRethrownAfterTheOthersFinish() {
        AtomicIntegerArray seen = new AtomicIntegerArray(6);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Workers.run(6, p -> {
            seen.incrementAndGet(p);
            if (p == 3) throw new IllegalStateException("part 3");
        }));
        assertEquals("part 3", e.getMessage());
        for (int p = 0; p < 6; p++) assertEquals(1, seen.get(p));
        AtomicIntegerArray after = new AtomicIntegerArray(2);
        Workers.run(2, after::incrementAndGet);
        assertEquals(1, after.get(0));
        assertEquals(1, after.get(1));
    }

    @Test
    void aFinishedJobKeepsNothingItCaptured() throws InterruptedException {
        // a worker remembers the last job it ran; a job that kept its task kept the task's captures
        // (an optimizer and its model's weights) alive until the next job, one model too many in the heap
        AtomicIntegerArray seen = new AtomicIntegerArray(8);
        java.lang.ref.WeakReference<float[]> ref = runCapturing(seen);
        for (int i = 0; i < 8; i++) assertEquals(1, seen.get(i));
        for (int tries = 0; tries < 50 && ref.get() != null; tries++) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(null, ref.get(), "the job's capture outlived it");
    }

    /** Runs a job whose task alone holds an array; returns a weak reference to the array. */
    private static java.lang.ref.WeakReference<float[]> runCapturing(AtomicIntegerArray seen) {
        float[] captured = new float[1 << 20];
        Workers.run(8, i -> {
            if (captured.length > 0) seen.incrementAndGet(i);
            try {
                Thread.sleep(2);  // long enough for a worker to take parts of the job
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return new java.lang.ref.WeakReference<>(captured);
    }
}
