import ArgumentParser
import TrailCore

struct MediaStoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media-store",
        abstract: "Keep the store's media files in an S3 bucket instead of git.",
        discussion: """
            Media in a media store are the objects PREFIX/<2 hex>/<38 hex> of their git blob ids. Credentials and endpoint come the standard AWS way: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN), AWS_PROFILE and ~/.aws/credentials, AWS_REGION (default us-east-1), AWS_ENDPOINT_URL for servers other than AWS S3. See docs/media-store.md.

            Examples:
              trail init --media-store s3://moderation-media/minor-safety   # a new store
              trail media-store set s3://moderation-media/minor-safety      # an existing one
              trail media-store show
            """,
        subcommands: [Set.self, Show.self])

    struct Set: TrailCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Move an existing store's media into a bucket.",
            discussion: """
                Uploads every media file any version names (what the bucket holds already is not sent again), checks each one there, and only then records the setting (in dataset.json and a commit on the current branch, so that it travels with push and clone) and removes the files from the git packs. Interrupted, the store still reads; run the command again to finish.
                """)

        @OptionGroup var options: WorkOptions
        @Argument(help: ArgumentHelp("Where the media go.", valueName: "s3://bucket/prefix"))
        var location: String
        @Option(name: .long, help: ArgumentHelp("Who signs the commit, as \"Name <email>\".", valueName: "author"))
        var author: String?

        func run(in context: CommandContext) throws {
            let store = try context.store
            let author = try store.author(given: author)
            let result = try context.withProgress {
                try MediaMigration(store: store).set(location, author: author, onWaitForLock: context.onWaitForLock)
            }
            try context.emit(result) { result in
                print("Media store: \(result.mediaStore)")
                print("  \(result.mediaFiles) media files: \(result.uploaded) uploaded, \(result.alreadyStored) already there; \(result.removedFromGit) removed from the git packs")
                if let commit = result.commit { print("  recorded in commit \(commit.prefix(10))") }
            }
        }
    }

    struct Show: TrailCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print where the store keeps its media.")

        @OptionGroup var options: ReadOptions

        /// The answer of `show`.
        struct Answer: Codable { var mediaStore: String? }

        func run(in context: CommandContext) throws {
            let store = try context.store
            try context.emit(Answer(mediaStore: store.mediaStoreLocation?.description)) { answer in
                print(answer.mediaStore ?? "Media are kept in git (no media store); set one with: trail media-store set s3://BUCKET/PREFIX")
            }
        }
    }
}
