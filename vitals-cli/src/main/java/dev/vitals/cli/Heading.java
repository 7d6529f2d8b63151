package dev.vitals.cli;

import java.io.PrintWriter;

/**
 * A command's first line, printed just before its first line of progress rather than at once: bad
 * input found while the data loads must leave its one error line alone (DESIGN.md), not follow a
 * heading that says the work began.
 */
final class Heading {
    private final PrintWriter out;
    private final String text;
    private boolean printed;

    Heading(PrintWriter out, String text) {
        this.out = out;
        this.text = text;
    }

    /** Prints the heading unless it has been printed. */
    void print() {
        if (printed) return;
        printed = true;
        out.println(text);
    }
}
