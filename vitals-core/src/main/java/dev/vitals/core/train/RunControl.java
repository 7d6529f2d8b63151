package dev.vitals.core.train;

/** Lets an observer ask the trainer to stop after the current step, giving a reason. */
public final class RunControl {
    private volatile String stopReason;

    public void requestStop(String reason) {
        if (stopReason == null) stopReason = reason;
    }

    public String stopReason() { return stopReason; }

    public boolean stopRequested() { return stopReason != null; }
}
