package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.doctor.trace.Decay;
import dev.vitals.doctor.trace.Trace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Names a weight decay that holds the model down as the cause of what a rule saw: the symptoms of a
 * decay pulling harder than the loss (accuracy at chance, gradients that vanish as the weights go to
 * zero, a training loss that climbs back up as they shrink, a model that levels off low) were blamed
 * on the learning rate, saturating activations or capacity, and fix tried none of the right repairs.
 */
public final class HeldByDecay {
    private HeldByDecay() {}

    /** When a rule's cause names the weight decay, as the catalog states it. */
    static final String CONDITION = "its cause names the weight decay where one holds the model down: under sgd or adam, weight_decay x a weight layer's norm at least "
            + Decay.HOLDS + " of its loss gradient's norm (the median over the weight layers of the median over the last 20 observed steps), and the weights shrunk below "
            + Decay.SHRUNK + " of their starting norm";

    /** Evidence key that marks a finding whose cause is the weight decay (fix lowers it). */
    public static final String PULL = "decay_pull";

    /** The findings with their cause and fix naming the weight decay where it holds the model down, else as they are. */
    static List<Finding> explain(Trace t, List<Finding> findings) {
        if (findings.isEmpty()) return findings;
        Decay.Pull p = Decay.holding(t);
        if (p == null) return findings;
        return findings.stream().map(f -> explain(f, p)).toList();
    }

    private static Finding explain(Finding f, Decay.Pull p) {
        Map<String, Object> e = new LinkedHashMap<>(f.evidence());
        e.put("weight_decay", Numbers.tidy(p.weightDecay()));
        e.put(PULL, Numbers.round(p.pull()));
        e.put("weight_norm_start", Numbers.round(p.normStart()));
        e.put("weight_norm_now", Numbers.round(p.normNow()));
        String cause = "weight decay " + Numbers.fmt(p.weightDecay()) + " (added to the gradient, as L2) pulls the weights towards zero "
                + (p.pull() >= 1 ? Numbers.fmt(p.pull()) + " times as hard as" : "nearly as hard as") + " the loss's gradient pushes them, and they shrank from a norm of "
                + Numbers.fmt(p.normStart()) + " to " + Numbers.fmt(p.normNow()) + ": the model is held near predicting the class shares";
        String fix = "lower weight_decay to 1e-4 or less (5e-4 at most is usual for sgd and adam; adamw's decoupled decay takes 0.01 to 0.1); vitals fix tries it";
        return new Finding(f.code(), f.severity(), f.stage(), f.layer(), f.step(), f.message(), e, cause, fix, f.verified());
    }

    /** Whether the decay holds the model down: a training loss that climbs as the weights shrink is the decay's, not the rate's. */
    static boolean holds(Trace t) { return Decay.holding(t) != null; }
}
