package dev.vitals.core.train;

import dev.vitals.core.optim.Adam;
import dev.vitals.core.optim.Optimizer;
import dev.vitals.core.optim.Sgd;

/** Describes an optimizer's settings for observers; unknown (user-written) optimizers report what is common. */
final class OptimizerInfos {
    private OptimizerInfos() {}

    static RunInfo.OptimizerInfo describe(Optimizer o, double lr) {
        if (o instanceof Sgd s) return new RunInfo.OptimizerInfo("sgd", lr, s.momentum(), s.nesterov(), s.weightDecay(), Double.NaN, Double.NaN, Double.NaN);
        if (o instanceof Adam a) return new RunInfo.OptimizerInfo(a.key(), lr, Double.NaN, false, a.weightDecay(), a.beta1(), a.beta2(), a.eps());
        return new RunInfo.OptimizerInfo(o.key(), lr, Double.NaN, false, o.weightDecay(), Double.NaN, Double.NaN, Double.NaN);
    }
}
