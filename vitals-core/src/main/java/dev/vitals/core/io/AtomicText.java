package dev.vitals.core.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a text file through a temporary file and a rename, so a reader never sees half of it.
 * What is not a regular file is written to, not replaced: {@code --json /dev/null} or a named pipe
 * gets the text, and a symbolic link keeps pointing where it did while its target is replaced.
 */
public final class AtomicText {
    private AtomicText() {}

    public static void write(Path path, String text) throws IOException {
        // a device, a pipe or /dev/stdout (following links): a rename would put a plain file in its place
        if (Files.exists(path) && !Files.isRegularFile(path) && !Files.isDirectory(path)) {
            Files.writeString(path, text);
            return;
        }
        Path abs = followLinks(path.toAbsolutePath());
        Path tmp = tempFor(abs);
        try {
            Files.writeString(tmp, text);
            moveIntoPlace(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The file a chain of symbolic links ends at, existing or not; the path itself when it is no link. */
    static Path followLinks(Path path) throws IOException {
        Path p = path;
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops == 40) throw new java.nio.file.FileSystemException(path.toString(), null, "too many levels of symbolic links");
            p = p.resolveSibling(Files.readSymbolicLink(p)).normalize();
        }
        return p;
    }

    /**
     * A new empty file beside {@code target} to write it through. Created as any new file is (0666
     * less the umask), not as a private temporary file (0600): the finished file is the user's report
     * or spec, and a spec written over itself keeps the mode it had.
     */
    public static Path tempFor(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        java.util.SplittableRandom rng = new java.util.SplittableRandom();
        for (int attempt = 0; ; attempt++) {
            Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(rng.nextLong() & Long.MAX_VALUE) + ".tmp");
            try {
                Files.createFile(tmp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt < 16) continue;
                throw e;
            }
            try {
                if (Files.exists(abs)) Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(abs));
            } catch (UnsupportedOperationException | IOException e) {
                // not a POSIX file system, or the old file's mode cannot be read: the new file's own mode stands
            }
            return tmp;
        }
    }

    /** Replaces {@code target} by the finished {@code tmp} in one rename where the file system allows it. */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
