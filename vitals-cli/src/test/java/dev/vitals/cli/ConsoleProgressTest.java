package dev.vitals.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConsoleProgressTest {
    @Test
    void aDivergedLossPrintsWithAnExponentNotThirtyDigits() {
        assertEquals("2.3026", ConsoleProgress.loss(2.302585));
        assertEquals("4.233e+32", ConsoleProgress.loss(4.233125595649564e32));
        assertEquals("NaN", ConsoleProgress.loss(Double.NaN));
    }
}
