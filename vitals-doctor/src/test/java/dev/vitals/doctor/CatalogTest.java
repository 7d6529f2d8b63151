package dev.vitals.doctor;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** docs/catalog.md is generated from the rules; it must say what the code does. */
class CatalogTest {
    @Test
    void theCommittedCatalogPageMatchesTheRules() throws Exception {
        Path page = Path.of("..", "docs", "catalog.md");
        assertEquals(Catalog.markdown(), Files.readString(page),
                "docs/catalog.md is stale: regenerate it with dev.vitals.doctor.Catalog (see the class comment)");
    }

    @Test
    void theCatalogIsStableFromRunToRun() {
        assertEquals(Catalog.markdown(), Catalog.markdown());
    }
}
