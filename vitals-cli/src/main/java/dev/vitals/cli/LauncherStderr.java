package dev.vitals.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Puts the real stderr back on descriptor 2 when the {@code vitals} launcher asks for it
 * ({@code -Dvitals.stderr.fd=N}). The launcher adds the Vector API's incubator module, and the JVM
 * then prints "WARNING: Using incubator modules: jdk.incubator.vector" on stderr while it starts,
 * before any of Vitals' code runs: a line the one-line {@code error:} contract does not allow. So
 * the JVM starts with stderr on a pipe to a filter that drops that line, and the real stderr on
 * descriptor N; this moves N onto 2 (libc's dup2, through the FFM API) before anything else is
 * written, so that all of Vitals' stderr goes straight to the real one, in order with stdout and with
 * nothing left in a filter when the process exits. Where that fails, stderr stays on the filter,
 * which passes everything but the warning.
 */
final class LauncherStderr {
    private LauncherStderr() {}

    static void restore() {
        String fd = System.getProperty("vitals.stderr.fd");
        if (fd == null) return;
        try {
            int real = Integer.parseInt(fd.trim());
            if (real <= 2) return;
            Linker linker = Linker.nativeLinker();
            FunctionDescriptor intInt = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT);
            MethodHandle dup2 = linker.downcallHandle(linker.defaultLookup().find("dup2").orElseThrow(), intInt);
            MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            System.err.flush();
            if ((int) dup2.invokeExact(real, 2) == 2) {
                int ignored = (int) close.invokeExact(real);
            }
        } catch (Throwable e) {
            // stderr stays on the launcher's filter: every line but the warning still gets through
        }
    }
}
