extension ConfusionTally {
    /// Cohen's kappa between the two label sequences (scikit-learn's `cohen_kappa_score`,
    /// unweighted): (p_o − p_e) / (1 − p_e), the share of agreement against the agreement
    /// expected from each side's label shares. Symmetric in truth and prediction, so it also
    /// measures an annotator against the final labels or two annotators against each other.
    ///
    /// With N pairs, A agreeing and r_c, p_c the true and predicted counts of label c:
    /// kappa = (N·A − Σ_c r_c·p_c) / (N² − Σ_c r_c·p_c).
    ///
    /// `nil` when undefined: nothing counted, or both sides gave one and the same label to
    /// every sample (p_e = 1; scikit-learn returns NaN there).
    public var cohenKappa: Double? {
        guard count > 0 else { return nil }
        let chance = zip(truthCounts, predictedCounts).reduce(0) { $0 + $1.0 * $1.1 }
        let expected = count * count - chance
        guard expected > 0 else { return nil }
        return Double(count * matrix.trace - chance) / Double(expected)
    }
}
