package dev.vitals.cli;

import dev.vitals.core.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run folder belongs to one run. */
class RunDirectoryTest {
    @Test
    void aFolderIsClaimedByOneRunOnly(@TempDir Path dir) throws IOException {
        // two runs started into one --out at once both passed the check and interleaved one metrics log
        Path out = dir.resolve("race");
        RunDirectory.check(out);
        RunDirectory.check(out);
        RunDirectory.create(out, "first");
        String m = assertThrows(InputException.class, () -> RunDirectory.create(out, "second")).getMessage();
        assertTrue(m.contains("another run has just started writing there"), m);
        assertTrue(Files.exists(out.resolve("spec.yaml")), "the claim is the run's spec");
    }
}
