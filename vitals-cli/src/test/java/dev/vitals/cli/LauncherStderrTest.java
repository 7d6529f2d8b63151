package dev.vitals.cli;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The launcher's hand-over of stderr, in a child JVM started as {@code ./vitals} starts it: the real
 * stderr on descriptor 3 and descriptor 2 elsewhere (here /dev/null, where the filter would be).
 * With {@code -Dvitals.stderr.fd=3} the bad-input line reaches the real stderr, alone and with exit
 * code 2; without it, it does not (so the test would see a broken hand-over).
 */
class LauncherStderrTest {
    @Test
    void errorsReachTheRealStderrOnceHandedBack() throws Exception {
        Result handedBack = run(true);
        assertEquals(Main.BAD_INPUT, handedBack.code, handedBack.err);
        List<String> lines = handedBack.err.lines().toList();
        assertEquals(1, lines.size(), "one line on stderr: " + handedBack.err);
        assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains("no-such-spec.yaml"), lines.get(0));
        assertEquals("", handedBack.out);

        Result kept = run(false);
        assertEquals(Main.BAD_INPUT, kept.code);
        assertEquals("", kept.err, "without the hand-over stderr stays where the JVM started it");
    }

    private record Result(int code, String out, String err) {}

    private static Result run(boolean handBack) throws Exception {
        assumeTrue(new File("/bin/bash").canExecute(), "needs bash");
        String java = ProcessHandle.current().info().command().orElse(null);
        assumeTrue(java != null, "the test JVM's java binary is unknown");
        String cmd = "exec 3>&2 2>/dev/null; exec \"$0\" --enable-native-access=ALL-UNNAMED"
                + (handBack ? " -Dvitals.stderr.fd=3" : "") + " -cp \"$1\" dev.vitals.cli.Main check no-such-spec.yaml";
        Process p = new ProcessBuilder("/bin/bash", "-c", cmd, java, System.getProperty("java.class.path")).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes(), err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
