/// Which changed samples a diff lists: `trail diff`'s `--kind`, `--label` and `--annotator`.
///
/// A filter narrows `SnapshotDiff.samples` only; the counts, transitions, label deltas and
/// relabels by annotator and guideline always describe every change between the two versions.
/// An empty filter keeps every changed sample.
public struct DiffFilter: Equatable, Sendable {
    /// Keep only changes of this kind.
    public var kind: ChangeKind?
    /// Keep only samples with this label (in any label field) before or after.
    public var label: String?
    /// Keep only samples whose new version (the old one, for a removal) is by this annotator.
    public var annotator: String?

    /// A filter on any of kind, label and annotator (nil: that one keeps everything).
    public init(kind: ChangeKind? = nil, label: String? = nil, annotator: String? = nil) {
        self.kind = kind
        self.label = label
        self.annotator = annotator
    }

    /// A filter from the words a user gave; `kind` must be a `ChangeKind`'s name
    /// (`added`, `removed`, `relabeled`, `content-changed`, `metadata-changed`), else this
    /// throws a usage error (exit code 2) that lists them.
    public init(kind: String?, label: String?, annotator: String?) throws {
        var parsed: ChangeKind?
        if let kind {
            guard let k = ChangeKind(rawValue: kind) else {
                throw TrailError(.usage, "unknown kind '\(kind)'", hint: "use one of: \(ChangeKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            parsed = k
        }
        self.init(kind: parsed, label: label, annotator: annotator)
    }

    /// True when the filter keeps every changed sample.
    public var isEmpty: Bool { kind == nil && label == nil && annotator == nil }

    /// True when `change` is one the filter keeps.
    public func includes(_ change: SampleChange) -> Bool {
        (kind == nil || change.kind == kind)
            && (label == nil || change.labelsBefore.values.contains(label!) || change.labelsAfter.values.contains(label!))
            && (annotator == nil || change.annotator == annotator)
    }

    /// The filter as a reader sees it, for a report: `kind relabeled, label spam, annotator ann_017`
    /// (only the parts given); nil when the filter is empty.
    public var summary: String? {
        let parts = [kind.map { "kind \($0.rawValue)" }, label.map { "label \($0)" }, annotator.map { "annotator \($0)" }].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}
