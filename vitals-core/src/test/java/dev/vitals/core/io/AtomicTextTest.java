package dev.vitals.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void aSymbolicLinkStaysALinkAndItsTargetGetsTheText() throws IOException {
        Path target = Files.writeString(dir.resolve("target.json"), "{}\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), Path.of("target.json"));
        AtomicText.write(link, "{\"a\": 1}\n");
        assertTrue(Files.isSymbolicLink(link), "the link was replaced by a plain file");
        assertEquals("{\"a\": 1}\n", Files.readString(target));
        // a dangling link: the file it names is created
        Path dangling = Files.createSymbolicLink(dir.resolve("later.json"), Path.of("sub-less.json"));
        AtomicText.write(dangling, "x\n");
        assertTrue(Files.isSymbolicLink(dangling));
        assertEquals("x\n", Files.readString(dir.resolve("sub-less.json")));
    }

    @Test
    void aDeviceOrAPipeIsWrittenToNotReplaced() throws Exception {
        Path devNull = Path.of("/dev/null");
        if (Files.exists(devNull)) {
            AtomicText.write(devNull, "{}\n");
            assertFalse(Files.isRegularFile(devNull), "/dev/null must stay a device");
        }
        Path fifo = dir.resolve("fifo");
        Process mk;
        try {
            mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException noMkfifo) {
            return;  // no mkfifo on this system: the device case above is the check
        }
        if (mk.waitFor() != 0) return;
        java.util.concurrent.CompletableFuture<String> read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readString(fifo);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        AtomicText.write(fifo, "through the pipe\n");
        assertEquals("through the pipe\n", read.get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertFalse(Files.isRegularFile(fifo), "the pipe must stay a pipe");
    }
}
