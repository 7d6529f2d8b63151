package dev.vitals.doctor.rules;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/** Formatting of measured numbers for evidence: four significant digits. */
public final class Numbers {
    private Numbers() {}

    public static Object tidy(Object v) {
        if (v instanceof Double d) return round(d);
        if (v instanceof Float f) return round(f.doubleValue());
        if (v instanceof double[] a) {
            List<Object> l = new ArrayList<>();
            for (double d : a) l.add(round(d));
            return l;
        }
        return v;
    }

    public static Object round(double d) {
        // kept a number: the report writes it as null, a console prints it as NaN or Infinity
        if (!Double.isFinite(d)) return d;
        if (d == 0) return 0.0;
        return significant(d, 4);
    }

    /** {@code d} rounded to {@code digits} significant digits (finite, non-zero {@code d}). */
    public static double significant(double d, int digits) {
        return new BigDecimal(d).round(new MathContext(digits)).doubleValue();
    }

    /** "1.23e-05" or "0.0123" style, for messages. */
    public static String fmt(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (d == 0) return "0";
        double a = Math.abs(d);
        if (a >= 1e-3 && a < 1e5) {
            String s = String.format("%.4g", d);
            return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        }
        return String.format("%.2e", d);
    }

    public static String pct(double fraction) { return String.format("%.1f%%", 100 * fraction); }

    /** A difference of two fractions in percentage points, one decimal. */
    public static String points(double difference) { return String.format("%.1f", 100 * difference); }
}
