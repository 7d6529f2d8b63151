package dev.vitals.core.kernel;

/** Whether the incubating Vector API module was added to this JVM ({@code --add-modules jdk.incubator.vector}). */
public final class VectorSupport {
    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private VectorSupport() {}

    public static boolean available() { return AVAILABLE; }
}
