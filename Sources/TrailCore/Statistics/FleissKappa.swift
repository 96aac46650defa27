extension AgreementTally {
    /// Fleiss' kappa (Fleiss 1971): (P̄ − P̄_e) / (1 − P̄_e), the mean agreement within units
    /// against the agreement expected from the labels' overall shares. It assumes every unit
    /// was rated the same number of times n ≥ 2 (raters need not be the same people).
    ///
    /// With N units, T = N·n ratings, n_j ratings of label j and D the pairs of equal values
    /// within units (Σ_i Σ_j n_ij (n_ij − 1)):
    /// kappa = (T · D / (n − 1) − Σ_j n_j²) / (T² − Σ_j n_j²).
    ///
    /// `nil` when undefined: no unit, units with different numbers of ratings (including a unit
    /// with 0 or 1), or a single label among all ratings (P̄_e = 1).
    public var fleissKappa: Double? {
        let counts = unitsByRatings.enumerated().filter { $0.element > 0 }
        guard counts.count == 1, let n = counts.first?.offset, n >= 2 else { return nil }
        let total = unitsByRatings[n] * n
        let squares = valueCounts.reduce(0) { $0 + $1 * $1 }
        let expected = total * total - squares
        guard expected > 0 else { return nil }
        let agreeing = Double(pairs[n].trace)
        return (Double(total) * agreeing / Double(n - 1) - Double(squares)) / Double(expected)
    }
}
