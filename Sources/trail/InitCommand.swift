import ArgumentParser
import TrailCore

struct InitCommand: TrailCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a store.",
        discussion: """
            Creates .trail/ in the current folder (or --store PATH): a bare git repository, the dataset configuration, and the lineage index. The field options say which fields of a sample mean what; the defaults fit most moderation datasets.

            Examples:
              trail init
              trail init --store /data/stores/minor-safety
              trail init --id-field sample_id --label-field label --label-field policy_tags
              trail init --media-store s3://moderation-media/minor-safety
            """)

    @OptionGroup var options: StoreOptions

    @Option(name: .customLong("id-field"), help: "The field holding each sample's unique id.")
    var idField = "id"
    @Option(name: .customLong("label-field"), help: "A field holding labels (repeat for several; default: label, labels).")
    var labelFields: [String] = []
    @Option(name: .customLong("annotator-field"), help: "The field naming who labeled the sample.")
    var annotatorField = "annotator"
    @Option(name: .customLong("guideline-field"), help: "The field naming the guideline version.")
    var guidelineField = "guideline"
    @Option(name: .customLong("content-field"), help: "A text field stored as its own blob (repeat; default: text).")
    var contentFields: [String] = []
    @Option(name: .customLong("media-field"), help: "A field holding a relative path to a media file (repeat; default: media, image, video, audio).")
    var mediaFields: [String] = []
    @Option(name: .customLong("judgments-field"), help: "The field holding each sample's judgments (an array of {annotator, label, guideline, at}).")
    var judgmentsField = DatasetConfig.defaultJudgmentsField
    @Option(name: .customLong("media-store"), help: "Keep media files in this S3 bucket (s3://BUCKET/PREFIX) instead of git; see docs/media-store.md.")
    var mediaStore: String?

    func run(in context: CommandContext) throws {
        let defaults = DatasetConfig()
        var config = DatasetConfig(
            idField: idField, labelFields: labelFields.isEmpty ? defaults.labelFields : labelFields,
            annotatorField: annotatorField, guidelineField: guidelineField,
            contentFields: contentFields.isEmpty ? defaults.contentFields : contentFields,
            mediaFields: mediaFields.isEmpty ? defaults.mediaFields : mediaFields, judgmentsField: judgmentsField)
        config.mediaStore = mediaStore
        // A new store: not looked for upward, and not opened.
        let store = try Store.create(at: Store.locate(explicit: options.store, searchUpward: false), config: config)
        print("Initialized an empty Trail store in \(store.path)")
    }
}
