package dev.vitals.doctor;

import dev.vitals.doctor.rules.DataRule;
import dev.vitals.doctor.rules.LintRule;
import dev.vitals.doctor.rules.ProbeRule;
import dev.vitals.doctor.rules.Rule;
import dev.vitals.doctor.rules.TraceRule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The finding catalog (docs/catalog.md), generated from the rules themselves so that the page can
 * never disagree with the code: a test compares the committed page with this output.
 * Regenerate with {@code java -cp ... dev.vitals.doctor.Catalog docs/catalog.md}.
 */
public final class Catalog {
    private Catalog() {}

    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Finding catalog\n\n");
        sb.append("Every finding code of DESIGN.md, the one rule that decides it, its thresholds and where they come from, ");
        sb.append("the cause it points at and the fix it proposes. Generated from the rules in `vitals-doctor` ");
        sb.append("(`dev.vitals.doctor.Catalog`); a test fails when this page and the code disagree.\n\n");
        sb.append("| code | stage | severity | checked by | it means |\n|---|---|---|---|---|\n");
        for (Code c : Code.values()) {
            Rule r = Rules.forCode(c);
            sb.append("| [").append(c.name()).append("](#").append(c.name().toLowerCase(java.util.Locale.ROOT)).append(") | ")
                    .append(c.stage().key()).append(" | ").append(r == null ? "-" : r.severity().key()).append(" | ")
                    .append(r == null ? "no rule yet" : kinds(r)).append(" | ").append(c.meaning()).append(" |\n");
        }
        for (Code c : Code.values()) {
            Rule r = Rules.forCode(c);
            sb.append("\n## ").append(c.name()).append("\n\n");
            sb.append("*").append(c.meaning()).append("* — stage `").append(c.stage().key()).append('`');
            if (r == null) {
                sb.append(". No rule decides this code yet.\n");
                continue;
            }
            sb.append(", severity `").append(r.severity().key()).append("`, checked by ").append(kinds(r))
                    .append(" (`").append(r.getClass().getSimpleName()).append("`).\n\n");
            sb.append("**Fires when** ").append(r.condition()).append(".\n\n");
            Map<String, Object> th = r.thresholds();
            if (!th.isEmpty()) {
                sb.append("| threshold | value |\n|---|---|\n");
                th.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
                sb.append('\n');
            }
            if (!r.basis().isEmpty()) sb.append("**Basis:** ").append(r.basis()).append(".\n\n");
            sb.append("**Cause:** ").append(r.cause()).append(".\n\n");
            sb.append("**Fix:** ").append(r.fix()).append(".\n");
        }
        return sb.toString().replace("..\n", ".\n");
    }

    private static String kinds(Rule r) {
        List<String> k = new ArrayList<>();
        if (r instanceof DataRule) k.add("data check");
        if (r instanceof LintRule) k.add("lint");
        if (r instanceof ProbeRule p) k.add("probe (" + p.probeName() + ")");
        if (r instanceof TraceRule) k.add("training monitor");
        return String.join(", ", k);
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/catalog.md");
        Files.writeString(out, markdown());
        System.out.println("wrote " + out);
    }
}
