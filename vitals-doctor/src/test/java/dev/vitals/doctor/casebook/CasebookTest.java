package dev.vitals.doctor.casebook;

import dev.vitals.core.report.Finding;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays every run of every incident in casebook/ and asserts what its case.yaml claims: a broken
 * spec is diagnosed with every expected code; a fixed or sanity spec raises no error or warning and
 * reaches its targets.
 */
class CasebookTest {
    static final Path ROOT = Path.of("..", "casebook");

    @TestFactory
    List<DynamicTest> everyIncidentBehavesAsTheCasebookSays() {
        List<Casebook.Case> cases = Casebook.load(ROOT);
        assertEquals(5, cases.size(), "the five incidents of the seeds");
        List<DynamicTest> tests = new ArrayList<>();
        for (Casebook.Case c : cases) {
            assertFalse(c.runs().isEmpty(), c.id());
            for (Casebook.Run r : c.runs()) {
                tests.add(DynamicTest.dynamicTest(c.id() + "/" + r.spec() + " (" + r.role() + ")", () -> {
                    Replay.Outcome out = Replay.run(c, r, null, null);
                    if (r.broken()) {
                        assertFalse(r.expect().isEmpty(), "a broken run names the codes it must produce");
                        assertTrue(out.missing().isEmpty(), "missing " + out.missing() + "; found " + out.codes());
                    } else {
                        assertTrue(out.problems().isEmpty(), "a fixed run must be healthy, found: "
                                + out.problems().stream().map(f -> f.code() + " " + f.message()).collect(Collectors.joining("; ")));
                        assertFalse(r.reaches().isEmpty(), "a fixed run names the result it must reach");
                        assertTrue(out.failed().isEmpty(), "not reached: " + out.failed() + " (measured " + out.reached() + ")");
                        assertTrue(out.train().findings().stream().noneMatch(Finding::isError));
                    }
                }));
            }
        }
        return tests;
    }
}
