package dev.vitals.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WordsTest {
    @Test
    void oneIsSingularEverythingElsePlural() {
        assertEquals("1 epoch", Words.count(1, "epoch"));
        assertEquals("0 epochs", Words.count(0, "epoch"));
        assertEquals("3 layers", Words.count(3, "layer"));
        assertEquals("1 class", Words.count(1, "class"));
        assertEquals("2 classes", Words.count(2, "class"));
        assertEquals("10 batches", Words.count(10, "batch"));
    }
}
