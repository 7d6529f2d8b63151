package dev.vitals.doctor;

import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.train.Experiment;
import dev.vitals.core.train.RunResult;
import dev.vitals.doctor.trace.Observation;
import dev.vitals.doctor.trace.Trace;
import dev.vitals.doctor.trace.WeightLayers;

import java.nio.file.Path;

/** Developer tool: trains specs with the monitor on and prints findings and the quantities rules judge. */
public final class Calibrate {
    public static void main(String[] args) {
        for (String a : args) {
            Spec spec = SpecParser.read(Path.of(a));
            Experiment e = Experiment.of(spec);
            Monitor m = new Monitor(f -> System.out.println("  FIRED " + f.severity() + " " + f.code() + " [" + f.layer() + "] step " + f.step() + ": " + f.message()));
            System.out.println("== " + a);
            RunResult r = e.fit(m);
            Trace t = m.trace();
            var w = WeightLayers.of(t);
            int k = 0;
            for (Observation o : t.observations()) {
                if (k++ % Math.max(1, t.observations().size() / 8) != 0) continue;
                StringBuilder sb = new StringBuilder();
                for (var en : w) sb.append(String.format(" %.1e", o.updateRatio(en.param())));
                double fl = o.paramGrad()[w.get(0).param()] / o.paramGrad()[w.get(w.size() - 1).param()];
                System.out.printf("  step %5d loss %.4f gn %.3e first/last %.2e ratios%s%n", o.step(), o.loss(), o.gradNorm(), fl, sb);
            }
            r.epochs().forEach(ep -> System.out.printf("  epoch %d train %.4f/%.3f val %.4f/%.3f%n", ep.epoch() + 1, ep.trainLoss(), ep.trainAccuracy(), ep.valLoss(), ep.valAccuracy()));
            System.out.printf("  test acc %.4f%n", r.testAccuracy());
        }
    }
}
