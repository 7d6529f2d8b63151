package dev.vitals.doctor.repair;

/**
 * One candidate repair tried against one finding: what was tried, whether it was kept, and why
 * (the numbers that decided it).
 */
public record Attempt(String code, String layer, String repair, String description, boolean kept, String why) {}
