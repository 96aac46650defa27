/// A result whose `--json` keys are snake_case (`macro_f1`, `per_label`, `right_to_wrong`):
/// the evaluation reports, whose keys read as the names scikit-learn and krippendorff give the
/// same statistics, so that a script compares them side by side. The command line encodes such
/// a value with `JSONEncoder.KeyEncodingStrategy.convertToSnakeCase`; the Swift names stay
/// camelCase. Such a value must hold no dictionary keyed by user data (a label, an id): the
/// strategy would rewrite those keys too.
public protocol SnakeCaseKeys {}

extension EvalScores: SnakeCaseKeys {}
extension EvalComparison: SnakeCaseKeys {}
extension ModelComparison: SnakeCaseKeys {}
