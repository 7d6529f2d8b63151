package dev.vitals.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/** Stratified hold-out splits: each class gives the same fraction of its examples. */
public final class Splits {
    /** Seed of the test hold-out: fixed, so that every run of a data set tests on the same examples. */
    public static final long TEST_SEED = 0x7E57_5EEDL;

    private Splits() {}

    /** Indices held out and kept, both in ascending order. */
    public record Split(int[] heldOut, int[] kept) {}

    public static Split stratified(int[] labels, double fraction, RandomGenerator rng) {
        Map<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) byClass.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
        List<Integer> held = new ArrayList<>();
        for (List<Integer> members : byClass.values()) {
            int[] m = members.stream().mapToInt(Integer::intValue).toArray();
            shuffle(m, rng);
            int take = (int) Math.round(fraction * m.length);
            // a class with at least two examples keeps one on each side
            if (m.length >= 2) take = Math.max(1, Math.min(m.length - 1, take));
            for (int i = 0; i < take; i++) held.add(m[i]);
        }
        int[] h = held.stream().mapToInt(Integer::intValue).sorted().toArray();
        boolean[] isHeld = new boolean[labels.length];
        for (int i : h) isHeld[i] = true;
        int[] k = new int[labels.length - h.length];
        int j = 0;
        for (int i = 0; i < labels.length; i++) if (!isHeld[i]) k[j++] = i;
        return new Split(h, k);
    }

    /**
     * A stratified assignment of examples to {@code k} folds: each class is shuffled and dealt out in
     * turn, so every fold holds its share of every class (within one example).
     */
    public static int[] folds(int[] labels, int k, RandomGenerator rng) {
        Map<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) byClass.computeIfAbsent(labels[i], c -> new ArrayList<>()).add(i);
        int[] fold = new int[labels.length];
        int next = 0;  // continue the deal across classes, so small classes do not all start at fold 0
        for (List<Integer> members : byClass.values()) {
            int[] m = members.stream().mapToInt(Integer::intValue).toArray();
            shuffle(m, rng);
            for (int i : m) fold[i] = next++ % k;
        }
        return fold;
    }

    public static void shuffle(int[] a, RandomGenerator rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int r = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[r];
            a[r] = t;
        }
    }

    public static int[] range(int n) {
        int[] a = new int[n];
        Arrays.setAll(a, i -> i);
        return a;
    }
}
