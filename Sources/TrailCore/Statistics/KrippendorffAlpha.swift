extension AgreementTally {
    /// Krippendorff's alpha for nominal data: 1 − D_o / D_e, observed over expected
    /// disagreement, from the coincidences of pairable units (units with fewer than 2 values
    /// are left out, as alpha defines). 1 is perfect agreement, 0 agreement at chance level;
    /// below 0, systematic disagreement.
    ///
    /// With n pairable values, n_c of label c, and the off-diagonal coincidences o_ck:
    /// alpha = 1 − (n − 1) · Σ_{c≠k} o_ck / (n² − Σ_c n_c²).
    ///
    /// `nil` when undefined: no pairable unit, or a single label among all pairable values
    /// (expected disagreement 0, where alpha would be 0/0).
    public var krippendorffAlpha: Double? {
        let n = pairableValues
        guard n > 0 else { return nil }
        let expected = n * n - valueCounts.reduce(0) { $0 + $1 * $1 }
        guard expected > 0 else { return nil }
        var observed = 0.0
        for (m, matrix) in pairs.enumerated() where m >= 2 {
            // Each unit's pairs weigh 1/(m−1); the integer sum per m is divided once.
            observed += Double(matrix.total - matrix.trace) / Double(m - 1)
        }
        return 1 - Double(n - 1) * observed / Double(expected)
    }
}
