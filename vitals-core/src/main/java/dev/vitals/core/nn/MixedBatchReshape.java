package dev.vitals.core.nn;

/**
 * The reshape bug of {@link Fault#MIXED_BATCH}: a batch stored as [batch, features] is read back as
 * {@code x.reshape(features, batch).T}, the classic slip of reshaping where a transpose was meant.
 * Values land in the right tensor shape but in other examples' rows. It is a permutation, so its
 * own gradient is exact: only a probe that asks which inputs an example's loss depends on sees it.
 */
final class MixedBatchReshape {
    private MixedBatchReshape() {}

    /** y[i][j] = flat(x)[j * batch + i]. */
    static void forward(float[] x, float[] y, int batch, int features) {
        for (int i = 0; i < batch; i++) {
            int row = i * features;
            for (int j = 0; j < features; j++) y[row + j] = x[j * batch + i];
        }
    }

    /** The transpose of {@link #forward}: routes each gradient back to the value it was read from. */
    static void backward(float[] gy, float[] gx, int batch, int features) {
        for (int i = 0; i < batch; i++) {
            int row = i * features;
            for (int j = 0; j < features; j++) gx[j * batch + i] = gy[row + j];
        }
    }
}
