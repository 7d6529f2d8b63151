package dev.vitals.doctor;

import dev.vitals.doctor.rules.AccuracyAtChance;
import dev.vitals.doctor.rules.BatchMixing;
import dev.vitals.doctor.rules.CannotOverfitBatch;
import dev.vitals.doctor.rules.GradientCheckFailed;
import dev.vitals.doctor.rules.InitialLossOff;
import dev.vitals.doctor.rules.InputLabelMismatch;
import dev.vitals.doctor.rules.DataClassImbalance;
import dev.vitals.doctor.rules.DataConstantInputs;
import dev.vitals.doctor.rules.DataLabelRange;
import dev.vitals.doctor.rules.DataLeakage;
import dev.vitals.doctor.rules.DataRowIndex;
import dev.vitals.doctor.rules.DataNonFinite;
import dev.vitals.doctor.rules.DataUnscaled;
import dev.vitals.doctor.rules.InitMismatch;
import dev.vitals.doctor.rules.LearningRateRange;
import dev.vitals.doctor.rules.WeightDecayRange;
import dev.vitals.doctor.rules.LossOutputMismatch;
import dev.vitals.doctor.rules.NoNormalization;
import dev.vitals.doctor.rules.BatchnormSmallBatch;
import dev.vitals.doctor.rules.NoValidation;
import dev.vitals.doctor.rules.SaturatingActivations;
import dev.vitals.doctor.rules.SoftmaxBeforeCrossEntropy;
import dev.vitals.doctor.rules.TargetEncodingMismatch;
import dev.vitals.doctor.rules.DataRule;
import dev.vitals.doctor.rules.DataUnshuffled;
import dev.vitals.doctor.rules.DeadRelu;
import dev.vitals.doctor.rules.EvalModeTraining;
import dev.vitals.doctor.rules.ExplodingGradients;
import dev.vitals.doctor.rules.GradientAccumulation;
import dev.vitals.doctor.rules.LearningRateTooHigh;
import dev.vitals.doctor.rules.LearningRateTooLow;
import dev.vitals.doctor.rules.LossNonFinite;
import dev.vitals.doctor.rules.LossPlateau;
import dev.vitals.doctor.rules.Overfitting;
import dev.vitals.doctor.rules.ParametersFrozen;
import dev.vitals.doctor.rules.SaturatedUnits;
import dev.vitals.doctor.rules.Underfitting;
import dev.vitals.doctor.rules.UpdateRuleMismatch;
import dev.vitals.doctor.rules.VanishingGradients;
import dev.vitals.doctor.rules.LintRule;
import dev.vitals.doctor.rules.ProbeRule;
import dev.vitals.doctor.rules.Rule;
import dev.vitals.doctor.rules.TraceRule;

import java.util.List;

/** Every rule, one per code. The catalog page and the tests enumerate this list. */
public final class Rules {
    private Rules() {}

    private static final List<Rule> ALL = List.of(
            new DataNonFinite(), new DataLabelRange(), new DataUnscaled(), new DataClassImbalance(), new DataUnshuffled(), new DataLeakage(), new DataConstantInputs(), new DataRowIndex(),
            new SoftmaxBeforeCrossEntropy(), new LossOutputMismatch(), new TargetEncodingMismatch(), new SaturatingActivations(), new InitMismatch(),
            new NoNormalization(), new BatchnormSmallBatch(), new NoValidation(), new LearningRateRange(), new WeightDecayRange(),
            new InitialLossOff(), new GradientCheckFailed(), new UpdateRuleMismatch(), new BatchMixing(), new CannotOverfitBatch(), new InputLabelMismatch(),
            new ParametersFrozen(), new GradientAccumulation(), new EvalModeTraining(), new LossNonFinite(),
            new ExplodingGradients(), new VanishingGradients(), new DeadRelu(), new SaturatedUnits(),
            new LearningRateTooLow(), new LearningRateTooHigh(), new LossPlateau(), new Overfitting(), new Underfitting(),
            new AccuracyAtChance());

    public static List<Rule> all() { return ALL; }

    public static List<DataRule> dataRules() { return of(DataRule.class); }

    public static List<LintRule> lintRules() { return of(LintRule.class); }

    public static List<ProbeRule> probeRules() { return of(ProbeRule.class); }

    public static List<TraceRule> traceRules() { return of(TraceRule.class); }

    private static <T> List<T> of(Class<T> kind) {
        return ALL.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    public static Rule forCode(Code c) {
        return ALL.stream().filter(r -> r.code() == c).findFirst().orElse(null);
    }
}
