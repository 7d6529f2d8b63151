package dev.vitals.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AtomicTextTest {
    @TempDir
    Path dir;

    @Test
    void aNewFileHasTheModeAnyNewFileGetsAndLeavesNoTemporaryFile() throws IOException {
        Path plain = Files.createFile(dir.resolve("plain.txt"));
        Path written = dir.resolve("report.json");
        AtomicText.write(written, "{}\n");
        assertEquals("{}\n", Files.readString(written));
        // a private temporary file's 0600 once became the mode of every report and repaired spec
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(written));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "only the two files, no .tmp left behind");
        }
    }

    @Test
    void aFileWrittenOverKeepsItsMode() throws IOException {
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, "name: a\n");
        Files.setPosixFilePermissions(spec, PosixFilePermissions.fromString("rw-r-----"));
        AtomicText.write(spec, "name: b\n");
        assertEquals("name: b\n", Files.readString(spec));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(spec)));
    }
}
