package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The share of input positions a window layer reads, against positions counted one by one. */
class InputCoverageTest {
    private static BuildContext ctx() { return new BuildContext(Init.DEFAULT, new SplittableRandom(1)); }

    /** Counted the simple way: mark every input row each output window touches. */
    private static double counted(int h, int w, int k, int s, int p) {
        int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
        boolean[][] read = new boolean[h][w];
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
                for (int a = 0; a < k; a++)
                    for (int b = 0; b < k; b++) {
                        int r = i * s - p + a, c = j * s - p + b;
                        if (r >= 0 && r < h && c >= 0 && c < w) read[r][c] = true;
                    }
        int n = 0;
        for (boolean[] row : read) for (boolean x : row) if (x) n++;
        return (double) n / (h * w);
    }

    @Test
    void convolutionsReadWhatTheirWindowsCover() {
        // filters, h, w, kernel, stride, padding: a stride far past the kernel, 1x1 at stride 2, padding, ragged edges
        int[][] cases = {{4, 14, 14, 3, 20, 0}, {8, 8, 8, 1, 2, 0}, {4, 28, 28, 3, 1, 1}, {2, 13, 11, 3, 2, 0}, {2, 9, 9, 2, 3, 1}, {3, 10, 7, 5, 4, 2}};
        for (int[] c : cases) {
            Conv2d conv = new Conv2d(c[0], c[3], c[4], c[5]);
            conv.build(Shape.of(1, c[1], c[2]), ctx());
            assertEquals(counted(c[1], c[2], c[3], c[4], c[5]), conv.inputCoverage(), 1e-12, java.util.Arrays.toString(c));
        }
        Conv2d far = new Conv2d(4, 3, 20, 0);
        far.build(Shape.of(1, 14, 14), ctx());
        assertEquals(9.0 / 196, far.inputCoverage(), 1e-12);
    }

    @Test
    void poolingLosesOnlyARaggedEdge() {
        MaxPool pool = new MaxPool(2);
        pool.build(Shape.of(3, 13, 13), ctx());
        assertEquals(144.0 / 169, pool.inputCoverage(), 1e-12);
        MaxPool even = new MaxPool(2);
        even.build(Shape.of(3, 12, 12), ctx());
        assertEquals(1.0, even.inputCoverage());
        assertEquals(1.0, new Dense(4).inputCoverage(), "a dense layer reads every input");
    }
}
